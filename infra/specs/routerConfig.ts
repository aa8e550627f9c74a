// Renders the router's own config (router/config/schema.ts) from the stack config: the alias table
// the router hot-reloads. Only sha256 digests of API keys leave the stack.
import { createHash } from "node:crypto";
import { parseRouterConfig, type BackendConfig, type RouterConfigInput } from "../../router/config/schema.js";
import type { StackConfig } from "../config/schema.js";
import { reachAddress } from "./hosts.js";

type Backend = StackConfig["backends"][string];

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** The models a backend is declared to have: an Ollama's `models`, the one model vLLM or llama.cpp serves. */
export function declaredModels(b: Backend): string[] {
  switch (b.engine) {
    case "ollama":
      return b.models;
    case "vllm":
      return [b.vllm.servedModelName ?? b.vllm.model];
    case "llamacpp":
      return [b.llamacpp.alias];
  }
}

/**
 * Router-side view of one backend. The router reaches each engine at http://<host address>:<host port>;
 * a vLLM cluster is served by its head (first host).
 */
function routerBackend(cfg: StackConfig, b: Backend, fromHost: string): Pick<BackendConfig, "engine" | "url" | "maxConcurrency" | "contextLength" | "models"> {
  const url = `http://${reachAddress(cfg, b.hosts[0] as string, fromHost)}:${b.port}`;
  // The router marks a declared model its engine does not have (/status, /status.json, a metric).
  const declared = declaredModels(b);
  const models = declared.length ? { models: declared } : {};
  switch (b.engine) {
    case "ollama":
      // OLLAMA_NUM_PARALLEL bounds requests per loaded model and MAX_LOADED_MODELS the models held at
      // once, so their product is the most the server works on together; beyond it Ollama queues.
      return {
        engine: "ollama",
        url,
        maxConcurrency: b.ollama.numParallel * b.ollama.maxLoadedModels,
        contextLength: b.ollama.contextLength,
        ...models,
      };
    case "vllm":
      return { engine: "vllm", url, ...(b.vllm.maxModelLen !== undefined ? { contextLength: b.vllm.maxModelLen } : {}), ...models };
    case "llamacpp":
      // llama.cpp splits -c across its -np slots, so each request gets contextSize / parallel tokens.
      return {
        engine: "llamacpp",
        url,
        maxConcurrency: b.llamacpp.parallel,
        contextLength: Math.floor(b.llamacpp.contextSize / b.llamacpp.parallel),
        ...models,
      };
  }
}

/** Recursively sorts object keys (arrays keep their order: target order is priority). */
function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => sortKeys(v)) as T;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, sortKeys(v)]);
    return Object.fromEntries(entries) as T;
  }
  return value;
}

/** The config file one router host receives. Backend URLs depend on where the router runs (local hosts). */
export function renderRouterConfig(cfg: StackConfig, routerHost: string): RouterConfigInput {
  const backends = Object.fromEntries(Object.entries(cfg.backends).map(([name, b]) => [name, routerBackend(cfg, b, routerHost)]));
  const rendered: RouterConfigInput = {
    listen: { host: "0.0.0.0", port: cfg.router.port },
    backends,
    aliases: cfg.router.aliases,
    apiKeys: cfg.router.apiKeys.map((k) => ({
      name: k.name,
      sha256: sha256Hex(cfg.secrets.apiKeys[k.name] ?? ""),
      ...(k.aliases ? { aliases: k.aliases } : {}),
    })),
    ...(cfg.router.claudeModels ? { claudeModels: cfg.router.claudeModels } : {}),
  };
  return sortKeys(rendered);
}

/** The file's bytes: stable JSON, so an unchanged table never changes the delivery resource. */
export function routerConfigFile(config: RouterConfigInput): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Checks the rendered file with the router's own parser; returns its problems (router paths). */
export function checkRouterConfig(config: RouterConfigInput): { path: string; message: string }[] {
  const r = parseRouterConfig(config);
  return r.ok ? [] : r.problems;
}
