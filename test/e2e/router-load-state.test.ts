// What the router shows about the real engine's load state, read from its /api/ps by the probes:
// cold before first use, loaded after a request, cold again once the keep-alive has passed, and the
// other model evicting the first (OLLAMA_MAX_LOADED_MODELS=1). On an engine of its own, so nothing
// another file did is loaded at the start. An alias target's model_state is the router's one warmth
// rule (backends/warmth.ts): what it sent counts as loaded before the next probe says so; the
// backend's model list is what the probes last read, so the test waits for the probe to catch up.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopAll } from "../../scripts/lib/child.js";
import { startEngine } from "./engine.js";
import { e2eEnv } from "./env.js";
import { eventually, postJson } from "./http.js";
import { backendStatus, modelState, REAL, routerStatus, startScenario, type RouterStatus, type Scenario } from "./router-setup.js";

const env = e2eEnv();
const [modelA, modelB] = env.models;

function chat(model: string): Record<string, unknown> {
  return { model, messages: [{ role: "user", content: "hello" }], max_tokens: 3 };
}

/**
 * The engine's models as /status.json lists them, by their tagged name: the router keeps the
 * engine's name (tiny-a:latest) and the target's (tiny-a) as two keys of one state.
 */
function engineModels(status: RouterStatus, which: "installed" | "loaded"): string[] {
  const names = backendStatus(status, REAL)
    .models.filter((m) => m[which])
    .map((m) => (m.name.includes(":") ? m.name : `${m.name}:latest`));
  return [...new Set(names)].sort();
}

/** Waits until the probes have read `expected` as the engine's loaded models (and returns that /status.json). */
async function engineShowsLoaded(url: string, expected: string[], timeoutMs: number): Promise<RouterStatus> {
  let last: string[] = [];
  try {
    return await eventually(
      `the probes to read ${JSON.stringify(expected)} loaded`,
      async () => {
        const status = await routerStatus(url);
        last = engineModels(status, "loaded");
        return JSON.stringify(last) === JSON.stringify(expected) ? status : undefined;
      },
      timeoutMs,
      100,
    );
  } catch {
    // Say what the probes did read, not only that the wait ran out.
    expect(last).toEqual(expected);
    throw new Error("unreachable");
  }
}

/** Waits until the router shows `state` for the alias's target on the real backend. */
async function routerShows(url: string, alias: string, state: string, timeoutMs: number): Promise<void> {
  await eventually(
    `the router to show ${alias} ${state}`,
    async () => (modelState(await routerStatus(url), alias, REAL) === state ? true : undefined),
    timeoutMs,
    100,
  );
}

describe.sequential("the router follows the real engine's load state", () => {
  let scenario: Scenario;
  let url: string;

  beforeAll(async () => {
    const { server } = await startEngine(env, "router-load-state");
    scenario = await startScenario(env, "router-load-state", { ollamaUrl: server.url, healthIntervalMs: 200 });
    url = scenario.router.url;
  });

  afterAll(async () => {
    await scenario.stop();
    await stopAll();
  });

  it("shows both models installed and cold before the first request", async () => {
    // The first probe round has to have run before there is anything to show.
    await routerShows(url, modelA, "cold", 10_000);
    const status = await routerStatus(url);
    expect(modelState(status, modelB, REAL)).toBe("cold");
    expect(engineModels(status, "installed")).toEqual([`${modelA}:latest`, `${modelB}:latest`]);
    expect(engineModels(status, "loaded")).toEqual([]);
  });

  it("shows the model loaded, with the engine's expiry, after the first request", async () => {
    const reply = await postJson(`${url}/v1/chat/completions`, chat(modelA));
    expect(reply.status).toBe(200);
    await routerShows(url, modelA, "loaded", 10_000);
    const status = await engineShowsLoaded(url, [`${modelA}:latest`], 10_000);
    const loaded = backendStatus(status, REAL).models.filter((m) => m.loaded);
    // Ollama's expires_at is the end of the request plus its keep-alive: in the future.
    expect(loaded.length).toBeGreaterThan(0);
    for (const m of loaded) expect(Date.parse(m.expires_at ?? "")).toBeGreaterThan(Date.now() - 1_000);
  });

  it("shows it cold again once the engine's keep-alive has passed", async () => {
    // The engine unloads after env.keepAliveS of idleness; the probes then see an empty /api/ps.
    await routerShows(url, modelA, "cold", (env.keepAliveS + 20) * 1_000);
    expect(engineModels(await routerStatus(url), "loaded")).toEqual([]);
  });

  it("a request for the second model evicts the first, and the router sees it", async () => {
    expect((await postJson(`${url}/v1/chat/completions`, chat(modelA))).status).toBe(200);
    await routerShows(url, modelA, "loaded", 10_000);
    const reply = await postJson(`${url}/v1/chat/completions`, chat(modelB));
    expect(reply.status).toBe(200);
    await routerShows(url, modelB, "loaded", 10_000);
    await routerShows(url, modelA, "cold", 10_000);
    await engineShowsLoaded(url, [`${modelB}:latest`], 10_000);
  });
});
