// Killing `ollama serve` while the router has a request in flight at it, before its first byte:
// that request is answered by the fake second target, and so is everything after while the engine
// is down. On an engine of its own, since this one dies.

import { readFileSync } from "node:fs";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopAll } from "../../scripts/lib/child.js";
import type { OllamaServeOptions, OllamaServer } from "../../scripts/e2e/ollama-serve.js";
import { groupAlive, killEngine, restartEngine, startEngine } from "./engine.js";
import { e2eEnv } from "./env.js";
import { eventually, openStream } from "./http.js";
import { backendStatus, FAKE, modelState, REAL, routerStatus, startScenario, type Scenario } from "./router-setup.js";

const env = e2eEnv();
const [alias] = env.models;
const user = (content: string) => [{ role: "user" as const, content }];

describe.sequential("the engine killed under the router", () => {
  let engine: OllamaServer;
  let engineOptions: OllamaServeOptions;
  let scenario: Scenario;
  let client: OpenAI;

  beforeAll(async () => {
    ({ server: engine, options: engineOptions } = await startEngine(env, "router-failover"));
    scenario = await startScenario(env, "router-failover", { ollamaUrl: engine.url });
    client = new OpenAI({ baseURL: `${scenario.router.url}/v1`, apiKey: "unused", maxRetries: 0, timeout: 110_000 });
  });

  afterAll(async () => {
    await scenario.stop();
    await stopAll();
  });

  it("serves from the engine while it is up", async () => {
    const { data, response } = await client.chat.completions.create({ model: alias, messages: user("warm up"), max_tokens: 3 }).withResponse();
    expect(response.headers.get("x-router-backend")).toBe(REAL);
    expect(data.choices[0]?.finish_reason).toBe("length");
    await eventually(
      "the router to see the model loaded",
      async () => (modelState(await routerStatus(scenario.router.url), alias, REAL) === "loaded" ? true : undefined),
      10_000,
      50,
    );
  });

  it("a request waiting at the engine (no byte yet) when it is killed is answered by the fake", async () => {
    const url = scenario.router.url;
    // Another client holds the engine's single slot directly, so the router's request waits inside
    // the engine without headers, as NUM_PARALLEL=1 makes it.
    const other = await openStream(`${engine.url}/api/chat`, { model: alias, messages: user("hold"), options: { num_predict: 10_000_000 } }, "ndjson");
    expect((await other.frames.next()).done).toBe(false);

    const pending = client.chat.completions.create({ model: alias, messages: user("in flight"), max_tokens: 3 }).withResponse();
    await eventually(
      "the router's request to be in flight at the engine",
      async () => (backendStatus(await routerStatus(url), REAL).in_flight === 1 ? true : undefined),
      10_000,
      50,
    );

    const pid = engine.proc.child.pid ?? 0;
    killEngine(pid);
    await eventually("the engine's process group to be gone", () => Promise.resolve(groupAlive(pid) ? undefined : true), 10_000);
    other.abort();

    const { data, response } = await pending;
    expect(response.headers.get("x-router-backend")).toBe(FAKE);
    expect(data.choices[0]?.message.content).toEqual(expect.any(String));
    expect(scenario.fake.stats.generationsCompleted).toBe(1);
    // The router's own record: one request, tried at the engine first, answered by the fake.
    const lines = readFileSync(scenario.router.logFile, "utf8")
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.backend === FAKE && l.path === "/v1/chat/completions");
    expect(lines).toEqual([expect.objectContaining({ status: 200, attempts: 2, outcome: "ok" })]);
  });

  it("while the engine is down the router says so and every request goes to the fake, streamed or not", async () => {
    const url = scenario.router.url;
    await eventually(
      "the router to mark the engine down",
      async () => (backendStatus(await routerStatus(url), REAL).health === "down" ? true : undefined),
      10_000,
      50,
    );
    for (let i = 0; i < 3; i++) {
      const { response } = await client.chat.completions.create({ model: alias, messages: user(`down ${i}`), max_tokens: 3 }).withResponse();
      expect(response.headers.get("x-router-backend")).toBe(FAKE);
    }
    const { data: stream, response } = await client.chat.completions
      .create({ model: alias, messages: user("down, streamed"), max_tokens: 3, stream: true })
      .withResponse();
    expect(response.headers.get("x-router-backend")).toBe(FAKE);
    const finishes: string[] = [];
    for await (const chunk of stream) for (const c of chunk.choices) if (c.finish_reason) finishes.push(c.finish_reason);
    expect(finishes.length).toBe(1);
    expect(scenario.fake.stats.generationsCompleted).toBe(5);
  });

  it("once the engine is back on its port, a probe marks it up again", async () => {
    engine = await restartEngine(engineOptions, engine.url);
    const url = scenario.router.url;
    await eventually(
      "the router to mark the engine up",
      async () => (backendStatus(await routerStatus(url), REAL).health === "up" ? true : undefined),
      20_000,
      100,
    );
    // Restarted cold, as the engine comes back with nothing loaded.
    expect(modelState(await routerStatus(url), alias, REAL)).toBe("cold");
  });
});
