// One request at a time on the real engine (OLLAMA_NUM_PARALLEL=1, router maxConcurrency 1): while
// a long generation holds the slot, further requests wait in the router's queue for the engine, or
// spill to the fake second target when the queue is configured empty; none fails. And a client
// that leaves mid-stream frees the engine at once.

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopAll } from "../../scripts/lib/child.js";
import type { OllamaServer } from "../../scripts/e2e/ollama-serve.js";
import { startEngine } from "./engine.js";
import { e2eEnv } from "./env.js";
import { collect, eventually, openStream, type OpenStream } from "./http.js";
import { backendStatus, engineRequests, FAKE, modelState, REAL, routerStatus, startScenario, type Scenario } from "./router-setup.js";

const env = e2eEnv();

// An engine of this file's own: the shared one is left as the other files expect it (nothing loaded).
let engine: OllamaServer;

beforeAll(async () => {
  ({ server: engine } = await startEngine(env, "router-concurrency"));
});

afterAll(async () => {
  await stopAll();
});
const [alias] = env.models;
const user = (content: string) => [{ role: "user", content }];

/** Long enough (~1000 tokens/s here) that the slot is certainly held while the others arrive, yet bounded. */
const HOLDING_TOKENS = 8_000;

interface Served {
  status: number;
  backend: string | null;
  finish: unknown;
}

async function smallChat(routerUrl: string, content: string): Promise<Served> {
  const res = await fetch(`${routerUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: alias, messages: user(content), max_tokens: 3 }),
    signal: AbortSignal.timeout(110_000),
  });
  const body = (await res.json()) as { choices?: Array<{ finish_reason?: unknown }> };
  return { status: res.status, backend: res.headers.get("x-router-backend"), finish: body.choices?.[0]?.finish_reason };
}

/** Starts a long streamed generation through the router and returns once its first token is in. */
async function holdTheSlot(routerUrl: string, tokens: number): Promise<{ stream: OpenStream; first: string }> {
  const stream = await openStream(`${routerUrl}/api/chat`, { model: alias, messages: user("hold"), options: { num_predict: tokens } }, "ndjson");
  const first = await stream.frames.next();
  if (first.done) throw new Error("the holding stream ended before its first token");
  return { stream, first: first.value };
}

describe.sequential("router maxConcurrency 1 with a queue: concurrent requests wait for the engine", () => {
  let scenario: Scenario;

  beforeAll(async () => {
    scenario = await startScenario(env, "router-queue", { ollamaUrl: engine.url, queue: { maxLength: 16, maxWaitMs: 110_000 } });
  });

  afterAll(async () => {
    await scenario.stop();
  });

  it("three requests queue behind a long generation and are all served by the engine afterwards", async () => {
    const url = scenario.router.url;
    const holder = await holdTheSlot(url, HOLDING_TOKENS);
    expect(holder.stream.status).toBe(200);
    // A loaded model ranks its backend first even when full; a cold one would lose to the idle fake.
    await eventually(
      "the router to see the model loaded",
      async () => (modelState(await routerStatus(url), alias, REAL) === "loaded" ? true : undefined),
      10_000,
      50,
    );
    const waiting = [1, 2, 3].map((i) => smallChat(url, `queued ${i}`));
    // All three are in the router's queue, none at the fake, while the long generation runs.
    await eventually(
      "three requests queued at the engine's backend",
      async () => (backendStatus(await routerStatus(url), REAL).queued === 3 ? true : undefined),
      30_000,
      50,
    );
    expect(backendStatus(await routerStatus(url), REAL).in_flight).toBe(1);
    const rest = await collect(holder.stream.frames);
    expect(JSON.parse(rest.at(-1) ?? "{}")).toMatchObject({ done: true, done_reason: "length", eval_count: HOLDING_TOKENS });
    const served = await Promise.all(waiting);
    expect(served).toEqual([1, 2, 3].map(() => ({ status: 200, backend: REAL, finish: "length" })));
    expect(scenario.fake.stats.generationsStarted).toBe(0);
  });
});

describe.sequential("router maxConcurrency 1 without a queue: concurrent requests spill to the fake", () => {
  let scenario: Scenario;

  beforeAll(async () => {
    scenario = await startScenario(env, "router-spill", { ollamaUrl: engine.url, queue: { maxLength: 0, maxWaitMs: 0 } });
  });

  afterAll(async () => {
    await scenario.stop();
  });

  it("while the engine's slot is held, three requests are served by the second target", async () => {
    const url = scenario.router.url;
    const holder = await holdTheSlot(url, HOLDING_TOKENS);
    const served = await Promise.all([1, 2, 3].map((i) => smallChat(url, `spilled ${i}`)));
    expect(served.map((s) => [s.status, s.backend])).toEqual([1, 2, 3].map(() => [200, FAKE]));
    expect(scenario.fake.stats.generationsCompleted).toBe(3);
    const rest = await collect(holder.stream.frames);
    expect(JSON.parse(rest.at(-1) ?? "{}")).toMatchObject({ done: true, eval_count: HOLDING_TOKENS });
    // With the slot free again the engine serves.
    expect(await smallChat(url, "after")).toEqual({ status: 200, backend: REAL, finish: "length" });
  });
});

describe.sequential("a client that leaves mid-stream", () => {
  let scenario: Scenario;

  beforeAll(async () => {
    scenario = await startScenario(env, "router-disconnect", { ollamaUrl: engine.url, queue: { maxLength: 16, maxWaitMs: 110_000 } });
  });

  afterAll(async () => {
    await scenario.stop();
  });

  it("stops the engine's generation: the engine ends the request and serves the next one at once", async () => {
    const url = scenario.router.url;
    const before = engineRequests(engine.logFile, "/api/chat");
    // Ten million tokens would hold the single slot for hours; only a real stop frees it.
    const endless = await holdTheSlot(url, 10_000_000);
    expect(JSON.parse(endless.first)).toMatchObject({ done: false });
    endless.stream.abort();
    // The engine logs a request when it ends: the endless one ended because its client left.
    await eventually(
      "the engine to end the abandoned request",
      () => Promise.resolve(engineRequests(engine.logFile, "/api/chat") > before ? true : undefined),
      30_000,
    );
    expect(await smallChat(url, "next")).toEqual({ status: 200, backend: REAL, finish: "length" });
    const gone = readFileSync(scenario.router.logFile, "utf8")
      .split("\n")
      .filter((l) => l.includes('"outcome":"client-gone"'));
    expect(gone.length).toBe(1);
    expect(gone[0]).toContain(`"backend":"${REAL}"`);
  });
});
