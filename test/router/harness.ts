// Shared set-up for router tests: a router on an ephemeral loopback port in front of engine fakes.
import { createHash } from "node:crypto";
import OpenAI from "openai";
import { startFakeEngine, type FakeEngine, type FakeEngineOptions } from "../fakes/index.js";
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

export interface Running {
  router: Router;
  url: string;
  logs: string[];
  client(key?: string, base?: string): OpenAI;
  stop(): Promise<void>;
}

export async function startRouter(cfg: RouterConfig, random?: () => number): Promise<Running> {
  const logs: string[] = [];
  const router = new Router({ config: cfg, logSink: (l) => logs.push(l), ...(random ? { random } : {}) });
  const url = await router.listen(0, "127.0.0.1");
  return {
    router,
    url,
    logs,
    client: (key = "none", base = "/v1") => new OpenAI({ apiKey: key, baseURL: url + base, maxRetries: 0, timeout: 20_000 }),
    stop: () => router.close(0),
  };
}

export async function fake(opts: FakeEngineOptions): Promise<FakeEngine> {
  return startFakeEngine(opts);
}

/** Polls a condition (no timing assertion: only a bound so a broken test ends). */
export async function until(cond: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function rawPost(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const r = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  return { status: r.status, text: await r.text(), headers: r.headers };
}
