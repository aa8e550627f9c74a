// The systems W6 compares, each in front of the same engines with the same aliases: the router
// (its default ranking, and its `first` policy as a naive baseline), nginx round-robin over every
// backend (a hand-made proxy set-up), and LiteLLM with its simple-shuffle and least-busy strategies.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RouterConfigInput } from "../../../router/config/schema.js";
import { probe } from "../procs.js";
import { start, stop, waitUntil, freePort } from "../../lib/child.js";
import { LITELLM_ENV, LITELLM_SETTINGS, litellmBinary, nginxConfig, startNginx, startRouterProcess, type ProcessContext } from "../systems.js";
import type { W6Face } from "./clients.js";
import type { AliasName, W6Plan } from "./plan.js";

export const W6_SYSTEMS = ["router", "router-first", "nginx-rr", "litellm-shuffle", "litellm-least-busy"] as const;
export type W6SystemName = (typeof W6_SYSTEMS)[number];

/** W6's peer gateways (LiteLLM's two strategies): only with --peers, as for the other workloads. */
export const W6_PEERS: readonly W6SystemName[] = ["litellm-shuffle", "litellm-least-busy"];

/** W6's systems for the chosen ones: the router with its ranking and its naive policy, nginx round-robin, LiteLLM's two strategies. */
export function w6SystemsFor(systems: readonly string[]): W6SystemName[] {
  const out: W6SystemName[] = [];
  if (systems.includes("router")) out.push("router", "router-first");
  if (systems.includes("nginx")) out.push("nginx-rr");
  if (systems.includes("litellm")) out.push("litellm-shuffle", "litellm-least-busy");
  return out;
}

export interface W6System {
  name: W6SystemName;
  face: W6Face;
  stop(): Promise<void>;
}

const JSON_HEADERS = { "content-type": "application/json" };

async function ok(url: string, headers: Record<string, string> = {}): Promise<boolean> {
  return (await probe(url, { headers }, 2_000)).status === 200;
}

/** The router config a user would write for these engines: Ollama at OLLAMA_NUM_PARALLEL=1 gets maxConcurrency 1. */
export function w6RouterConfig(
  plan: W6Plan,
  urls: Record<string, string>,
  port: number,
  policy: "ranked" | "first",
  routing: Record<string, unknown> = {},
): RouterConfigInput {
  const backends: RouterConfigInput["backends"] = {};
  for (const e of plan.engines) {
    const url = urls[e.name];
    if (url === undefined) throw new Error(`no URL for engine ${e.name}`);
    backends[e.name] = e.engine === "ollama" ? { engine: "ollama", url, maxConcurrency: 1 } : { engine: e.engine, url };
  }
  const aliases: RouterConfigInput["aliases"] = {};
  for (const [alias, names] of Object.entries(plan.aliases)) aliases[alias] = { targets: names.map((backend) => ({ backend, model: alias })) };
  return {
    listen: { host: "127.0.0.1", port },
    backends,
    aliases,
    routing: { ...routing, policy },
    logging: { level: "warn", logBodies: false },
    drainMs: 1000,
  };
}

async function router(
  ctx: ProcessContext,
  plan: W6Plan,
  urls: Record<string, string>,
  policy: "ranked" | "first",
  routing: Record<string, unknown>,
): Promise<W6System> {
  const file = `w6-router-${policy}.json`;
  // Ready once every backend has been probed, so no system starts the run blind.
  const ready = async (port: number): Promise<boolean> => {
    const r = await probe(`http://127.0.0.1:${port}/status.json`, {}, 2_000);
    if (r.status !== 200) return false;
    const s = JSON.parse(r.body) as { backends: { health: string }[] };
    return s.backends.every((b) => b.health === "up");
  };
  const { child, port } = await startRouterProcess(ctx, file, (p) => w6RouterConfig(plan, urls, p, policy, routing), ready);
  return {
    name: policy === "first" ? "router-first" : "router",
    face: { url: `http://127.0.0.1:${port}/v1/chat/completions`, headers: JSON_HEADERS },
    stop: () => stop(child, 5000),
  };
}

/**
 * Round-robin over every backend, as a hand-made nginx or Traefik set-up does: it cannot read the
 * model from the body, so a backend without the model (vLLM for agent and micro) answers 404 and
 * nginx tries the next one; errors, timeouts and 502/503 also move on (nginx docs, proxy_next_upstream).
 */
export function w6NginxLocation(): string[] {
  return ["proxy_next_upstream error timeout http_404 http_502 http_503 non_idempotent;", "proxy_next_upstream_tries 3;"];
}

async function nginx(ctx: ProcessContext, plan: W6Plan, urls: Record<string, string>): Promise<W6System> {
  const servers = plan.engines.map((e) => new URL(urls[e.name] ?? "").host);
  const { child, port } = await startNginx(
    ctx,
    "w6-nginx",
    (dir, p, root) => nginxConfig(dir, p, servers, root, w6NginxLocation()),
    (p) => ok(`http://127.0.0.1:${p}/v1/models`),
  );
  return { name: "nginx-rr", face: { url: `http://127.0.0.1:${port}/v1/chat/completions`, headers: JSON_HEADERS }, stop: () => stop(child) };
}

/** LiteLLM's proxy config: one deployment per target, the router's retries, the given strategy (docs.litellm.ai, "Routing"). */
export function w6LitellmConfig(plan: W6Plan, urls: Record<string, string>, strategy: "simple-shuffle" | "least-busy"): string {
  const lines = ["model_list:"];
  for (const [alias, names] of Object.entries(plan.aliases) as [AliasName, string[]][]) {
    for (const name of names) {
      lines.push(
        `  - model_name: ${alias}`,
        "    litellm_params:",
        `      model: openai/${alias}`,
        `      api_base: ${urls[name] ?? ""}/v1`,
        "      api_key: none",
      );
    }
  }
  lines.push("router_settings:", `  routing_strategy: ${strategy}`, "  num_retries: 2", "  timeout: 300", ...LITELLM_SETTINGS);
  return lines.join("\n");
}

async function litellm(ctx: ProcessContext, plan: W6Plan, urls: Record<string, string>, strategy: "simple-shuffle" | "least-busy"): Promise<W6System> {
  const bin = await litellmBinary(ctx);
  const port = await freePort();
  const config = join(ctx.workDir, `w6-litellm-${strategy}.yaml`);
  writeFileSync(config, w6LitellmConfig(plan, urls, strategy));
  const started = start(bin, ["--config", config, "--host", "127.0.0.1", "--port", String(port), "--num_workers", "1"], {
    cwd: ctx.workDir,
    env: { ...process.env, ...LITELLM_ENV },
  });
  const auth = { authorization: "Bearer sk-bench" };
  // The liveness route answers without calling any model, so no engine load is counted before the run.
  await waitUntil(started, () => ok(`http://127.0.0.1:${port}/health/liveliness`, auth), 90_000, "litellm");
  const child = started.child;
  return {
    name: strategy === "simple-shuffle" ? "litellm-shuffle" : "litellm-least-busy",
    face: { url: `http://127.0.0.1:${port}/v1/chat/completions`, headers: { ...JSON_HEADERS, ...auth } },
    stop: () => stop(child),
  };
}

/** Starts one system; `routing` is merged into the router's routing config (the `first` baseline ignores it). */
export function startW6System(
  name: W6SystemName,
  ctx: ProcessContext,
  plan: W6Plan,
  urls: Record<string, string>,
  routing: Record<string, unknown> = {},
): Promise<W6System> {
  switch (name) {
    case "router":
      return router(ctx, plan, urls, "ranked", routing);
    case "router-first":
      return router(ctx, plan, urls, "first", {});
    case "nginx-rr":
      return nginx(ctx, plan, urls);
    case "litellm-shuffle":
      return litellm(ctx, plan, urls, "simple-shuffle");
    case "litellm-least-busy":
      return litellm(ctx, plan, urls, "least-busy");
  }
}
