// The one router fixture for the router, reliability and faces suites: a router on an ephemeral
// loopback port in front of engine fakes, and everything a test started stopped after it.
import { createHash } from "node:crypto";
import Anthropic from "@anthropic-ai/sdk";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { afterAll, afterEach } from "vitest";
import { startFakeEngine, type FakeEngine, type FakeEngineOptions } from "../../tools/fakes/index.js";
import { parseRouterConfig, type RouterConfig, type RouterConfigInput } from "../../router/config/schema.js";
import { Router } from "../../router/server.js";

export const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

/** Fast health settings so tests never wait on production intervals. */
export const fastHealth = { intervalMs: 50, timeoutMs: 500, maxIntervalMs: 200 };

export function config(input: Omit<RouterConfigInput, "listen">): RouterConfig {
  const r = parseRouterConfig({ listen: { host: "127.0.0.1", port: 0 }, health: fastHealth, logging: { level: "info" }, ...input });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

export interface StartOptions {
  random?: () => number;
}

export interface Running {
  router: Router;
  url: string;
  logs: string[];
  client(key?: string, base?: string): OpenAI;
  anthropic(key?: string, base?: string): Anthropic;
  ollama(key?: string): Ollama;
  stop(): Promise<void>;
}

export async function startRouter(cfg: RouterConfig, opts: StartOptions = {}): Promise<Running> {
  const logs: string[] = [];
  const router = new Router({ config: cfg, logSink: (l) => logs.push(l), ...opts });
  const url = await router.listen(0, "127.0.0.1");
  return {
    router,
    url,
    logs,
    client: (key = "none", base = "/v1") => new OpenAI({ apiKey: key, baseURL: url + base, maxRetries: 0, timeout: 20_000 }),
    // Claude Code's set-up: ANTHROPIC_BASE_URL=https://<domain>/api, so the SDK calls /api/v1/messages.
    anthropic: (key = "none", base = "/api") => new Anthropic({ apiKey: key, baseURL: url + base, maxRetries: 0, timeout: 20_000 }),
    ollama: (key = "none") => new Ollama({ host: url, headers: { authorization: `Bearer ${key}` } }),
    stop: () => router.close(0),
  };
}

/** Starts engine fakes and routers, and stops them all after each test ("each") or after the suite ("all"). */
export interface Fixture {
  fake(opts: FakeEngineOptions): Promise<FakeEngine>;
  /** A router with the fixture's start options unless told otherwise. */
  router(cfg: RouterConfig, opts?: StartOptions): Promise<Running>;
}

export function routerFixture(lifetime: "each" | "all" = "each", defaults: StartOptions = {}): Fixture {
  const engines: FakeEngine[] = [];
  const routers: Running[] = [];
  (lifetime === "each" ? afterEach : afterAll)(async () => {
    // Routers first, so none probes or forwards to an engine that is going away.
    await Promise.all(routers.splice(0).map((r) => r.stop()));
    await Promise.all(engines.splice(0).map((e) => e.stop()));
  });
  return {
    async fake(opts) {
      const engine = await startFakeEngine(opts);
      engines.push(engine);
      return engine;
    },
    async router(cfg, opts = defaults) {
      const run = await startRouter(cfg, opts);
      routers.push(run);
      return run;
    },
  };
}

/** Polls a condition (no timing assertion: only a bound so a broken test ends). */
export async function until(cond: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Until every backend's first probe has answered with its model list. */
export function untilModelsKnown(run: Running): Promise<void> {
  return until(() => run.router.registry.all().every((b) => b.models !== undefined), "every backend's model list");
}

/** Until every backend is up. */
export function untilAllUp(run: Running): Promise<void> {
  return until(() => run.router.registry.all().every((b) => b.health === "up"), "every backend up");
}

export async function rawPost(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const r = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  return { status: r.status, text: await r.text(), headers: r.headers };
}
