// Killing `ollama serve` while it is loading the model for a router request. The tiny model loads
// in a fraction of a second, so the load is held open: the model runner Ollama starts for it is
// stopped (SIGSTOP) the moment it appears, and the engine waits for it (runner-trap.ts). Then the
// engine is killed; the router answers that request from the fake second target. On an engine of
// its own, cold, since this one dies.

import { readFileSync } from "node:fs";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopAll } from "../../scripts/lib/child.js";
import type { OllamaServeOptions, OllamaServer } from "../../scripts/e2e/ollama-serve.js";
import { groupAlive, killEngine, restartEngine, startEngine } from "./engine.js";
import { e2eEnv } from "./env.js";
import { eventually, getJson, logLines } from "./http.js";
import { backendStatus, FAKE, modelState, REAL, routerStatus, startScenario, type Scenario } from "./router-setup.js";
import { processState, trapModelRunner, type RunnerTrap } from "./runner-trap.js";

const env = e2eEnv();
const [alias] = env.models;
const user = (content: string) => [{ role: "user" as const, content }];

/** Engine log lines that mark the load's progress (llm/server.go, slog at INFO). */
const STARTING_RUNNER = 'msg="starting runner"';
const LOADING = 'msg="loading model"';
const LOADED = "llama runner started in";

function count(logFile: string, needle: string): number {
  return logLines(logFile).filter((l) => l.includes(needle)).length;
}

async function loadedOnEngine(url: string): Promise<string[]> {
  const body = (await getJson(`${url}/api/ps`)).body as { models: Array<{ name: string }> };
  return body.models.map((m) => m.name);
}

describe.sequential("the engine killed while it loads the model", () => {
  let engine: OllamaServer;
  let engineOptions: OllamaServeOptions;
  let scenario: Scenario | undefined;
  let client: OpenAI;
  let trap: RunnerTrap | undefined;

  beforeAll(async () => {
    ({ server: engine, options: engineOptions } = await startEngine(env, "router-failover-load"));
    scenario = await startScenario(env, "router-failover-load", { ollamaUrl: engine.url });
    client = new OpenAI({ baseURL: `${scenario.router.url}/v1`, apiKey: "unused", maxRetries: 0, timeout: 110_000 });
  });

  afterAll(async () => {
    // A stopped runner is continued and killed whatever happened above.
    trap?.release();
    await scenario?.stop();
    await stopAll();
  });

  it("a request whose model load is in progress when the engine is killed is answered by the fake", async () => {
    if (!scenario) throw new Error("no scenario");
    const url = scenario.router.url;
    await eventually(
      "the router to see the engine up with the model cold",
      async () => {
        const status = await routerStatus(url);
        return backendStatus(status, REAL).health === "up" && modelState(status, alias, REAL) === "cold" ? true : undefined;
      },
      20_000,
      100,
    );
    const loadsBefore = count(engine.logFile, LOADED);

    const servePid = engine.proc.child.pid ?? 0;
    trap = trapModelRunner(servePid);
    let settled = false;
    const pending = client.chat.completions.create({ model: alias, messages: user("during the load"), max_tokens: 3 }).withResponse();
    void pending.then(
      () => (settled = true),
      () => (settled = true),
    );

    // The runner for this model appeared and is stopped; the engine is waiting for it.
    const runner = await Promise.race([
      trap.caught,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no model runner appeared within 20 s")), 20_000)),
    ]);
    expect(runner.argv).toContain("--model");
    expect(processState(runner.pid)).toBe("T");
    await eventually("the engine to log that the load started", () => Promise.resolve(count(engine.logFile, LOADING) > 0 ? true : undefined), 10_000, 20);
    expect(logLines(engine.logFile).some((l) => l.includes(STARTING_RUNNER) && l.includes("--model"))).toBe(true);
    await eventually(
      "the router's request to be in flight at the engine",
      async () => (backendStatus(await routerStatus(url), REAL).in_flight === 1 ? true : undefined),
      10_000,
      50,
    );

    // Held: still loading well past the ~0.3 s a load takes. The engine lists a model in /api/ps
    // only once its runner is up (server/sched.go adds the runner after Load returns), so nothing
    // is listed, the router still shows the model cold, and the client has not had a byte.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(processState(runner.pid)).toBe("T");
    expect(count(engine.logFile, LOADED)).toBe(loadsBefore);
    expect(await loadedOnEngine(engine.url)).toEqual([]);
    const during = await routerStatus(url);
    expect(backendStatus(during, REAL).in_flight).toBe(1);
    expect(modelState(during, alias, REAL)).toBe("cold");
    expect(settled).toBe(false);
    expect(scenario.fake.stats.generationsCompleted).toBe(0);

    // SIGKILL to serve's process group: the runner is in it (started without a group of its own,
    // llm/llm_linux.go) and a stopped process dies of SIGKILL too.
    killEngine(servePid);
    await eventually("the engine's process group to be gone", () => Promise.resolve(groupAlive(servePid) ? undefined : true), 10_000);
    expect(processState(runner.pid)).toBeUndefined();

    const { data, response } = await pending;
    expect(response.headers.get("x-router-backend")).toBe(FAKE);
    expect(data.choices[0]?.message.content).toEqual(expect.any(String));
    expect(scenario.fake.stats.generationsCompleted).toBe(1);
    expect(count(engine.logFile, LOADED)).toBe(loadsBefore);
    const lines = readFileSync(scenario.router.logFile, "utf8")
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.path === "/v1/chat/completions");
    expect(lines).toEqual([expect.objectContaining({ backend: FAKE, status: 200, attempts: 2, outcome: "ok" })]);
  });

  it("while the engine is down every request goes to the fake", async () => {
    if (!scenario) throw new Error("no scenario");
    const url = scenario.router.url;
    await eventually(
      "the router to mark the engine down",
      async () => (backendStatus(await routerStatus(url), REAL).health === "down" ? true : undefined),
      10_000,
      50,
    );
    for (let i = 0; i < 2; i++) {
      const { response } = await client.chat.completions.create({ model: alias, messages: user(`down ${i}`), max_tokens: 3 }).withResponse();
      expect(response.headers.get("x-router-backend")).toBe(FAKE);
    }
    expect(scenario.fake.stats.generationsCompleted).toBe(3);
  });

  it("after a restart the router sees the engine up and the model cold", async () => {
    if (!scenario) throw new Error("no scenario");
    trap?.release();
    engine = await restartEngine(engineOptions, engine.url);
    const url = scenario.router.url;
    await eventually(
      "the router to mark the engine up",
      async () => (backendStatus(await routerStatus(url), REAL).health === "up" ? true : undefined),
      20_000,
      100,
    );
    expect(modelState(await routerStatus(url), alias, REAL)).toBe("cold");
    expect(await loadedOnEngine(engine.url)).toEqual([]);
  });
});
