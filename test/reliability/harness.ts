// Fault-injection set-up: a router with all three faces in front of engine fakes, its log lines
// captured, and a ledger of which backend saw which request (each request carries a unique marker).
import { parseRouterConfig, type RouterConfig, type RouterConfigInput } from "../../router/config/schema.js";
import { anthropicFace } from "../../router/faces/anthropic/index.js";
import { ollamaFace } from "../../router/faces/ollama/index.js";
import { Router } from "../../router/server.js";
import { startFakeEngine, type FakeEngine, type FakeEngineOptions, type FakeRequest } from "../fakes/index.js";

export { sha256, until } from "../router/harness.js";

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
  stop(): Promise<void>;
}

export async function startRouter(cfg: RouterConfig): Promise<Running> {
  const logs: string[] = [];
  // A fixed random keeps ejection times exact (jitter aside).
  const router = new Router({ config: cfg, faces: [anthropicFace, ollamaFace], logSink: (l) => logs.push(l), random: () => 0.5 });
  const url = await router.listen(0, "127.0.0.1");
  return { router, url, logs, stop: () => router.close(0) };
}

/** Which backends generated for each request marker (the first word of the user message). */
export class Ledger {
  readonly seen = new Map<string, string[]>();

  record(backend: string, req: FakeRequest): void {
    const marker = req.lastUserMessage.split(/\s+/)[0] ?? "";
    this.seen.set(marker, [...(this.seen.get(marker) ?? []), backend]);
  }

  /** Every marker went to at most 1 + maxRetries backends, never the same one twice. */
  attempts(marker: string): string[] {
    return this.seen.get(marker) ?? [];
  }
}

/** A fake whose generations are long enough to be cut, and that writes who served what in the ledger. */
export function ledgerFake(ledger: Ledger, name: string, opts: Omit<FakeEngineOptions, "reply">): Promise<FakeEngine> {
  return startFakeEngine({
    ...opts,
    reply: (req) => {
      ledger.record(name, req);
      return { content: `${name} ` + "word ".repeat(30) };
    },
  });
}

/** Reads an OpenAI SSE body: data payloads in order, and whether [DONE] came. */
export function openaiEvents(text: string): { data: Record<string, unknown>[]; done: boolean } {
  const data: Record<string, unknown>[] = [];
  let done = false;
  for (const line of text.split("\n")) {
    if (!line.startsWith("data:")) continue;
    const d = line.slice(5).trim();
    if (d === "[DONE]") done = true;
    else data.push(JSON.parse(d) as Record<string, unknown>);
  }
  return { data, done };
}

export async function post(url: string, body: unknown, signal?: AbortSignal): Promise<{ status: number; text: string; backend: string | null }> {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" }, body: JSON.stringify(body), signal: signal ?? null });
  return { status: r.status, text: await r.text(), backend: r.headers.get("x-router-backend") };
}
