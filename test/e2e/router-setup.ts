// The router in front of the real Ollama, with an engine fake as the alias's second target: the
// config the scenarios share, and small readers of what the router and the engine report.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { RouterConfigInput } from "../../router/config/schema.js";
import { startRouter, type RouterProcess } from "../../scripts/e2e/router.js";
import { startFakeEngine, type FakeEngine } from "../../tools/fakes/index.js";
import type { E2eEnv } from "./env.js";
import { getJson, logLines } from "./http.js";

/** Backend names in the config, as `x-router-backend` reports them. */
export const REAL = "ollama";
export const FAKE = "fake";

export interface ScenarioOptions {
  /** The real engine's root URL (the suite's shared engine, or one a scenario started itself). */
  ollamaUrl: string;
  fakeUrl: string;
  anthropic?: "auto" | "native" | "translate";
  /** The real backend's queue when its single slot is taken; maxLength 0 spills at once. */
  queue?: { maxLength: number; maxWaitMs: number };
  /** Probe interval: small, so load-state changes show on /status.json within a few hundred ms. */
  healthIntervalMs?: number;
}

/**
 * Two aliases, one per model, each with the real Ollama first and the fake second. The real
 * backend takes one request at a time, as OLLAMA_NUM_PARALLEL=1 does.
 */
function scenarioConfig(env: E2eEnv, opts: ScenarioOptions): RouterConfigInput {
  const [modelA, modelB] = env.models;
  const interval = opts.healthIntervalMs ?? 200;
  return {
    listen: { host: "127.0.0.1", port: 0 },
    backends: {
      [REAL]: {
        engine: "ollama",
        url: opts.ollamaUrl,
        maxConcurrency: 1,
        anthropic: opts.anthropic ?? "auto",
        ...(opts.queue ? { queue: opts.queue } : {}),
      },
      [FAKE]: { engine: "ollama", url: opts.fakeUrl },
    },
    aliases: {
      [modelA]: {
        targets: [
          { backend: REAL, model: modelA },
          { backend: FAKE, model: modelA },
        ],
      },
      [modelB]: {
        targets: [
          { backend: REAL, model: modelB },
          { backend: FAKE, model: modelB },
        ],
      },
    },
    // Down is noticed within a probe or two; the interval does not back off past a second here.
    health: { intervalMs: interval, timeoutMs: 1_000, maxIntervalMs: 1_000 },
    // One failure ejects, so a killed engine is not tried again while it is down.
    ejection: { consecutiveFailures: 1, baseMs: 60_000, maxMs: 60_000, jitter: 0 },
  };
}

/**
 * The second target: an Ollama fake with the same two model names, cold, one request at a time.
 * Its answers are its own fixed text, so a reply says which engine produced it.
 */
async function startSecondTarget(env: E2eEnv): Promise<FakeEngine> {
  return startFakeEngine({ engine: "ollama", models: [...env.models], loaded: [], numParallel: 1, anthropic: true, chunkDelayMs: 2 });
}

export interface Scenario {
  router: RouterProcess;
  fake: FakeEngine;
  stop(): Promise<void>;
}

export async function startScenario(env: E2eEnv, name: string, opts: Omit<ScenarioOptions, "fakeUrl">): Promise<Scenario> {
  const fake = await startSecondTarget(env);
  const workDir = join(env.workDir, name);
  mkdirSync(workDir, { recursive: true });
  const router = await startRouter(scenarioConfig(env, { ...opts, fakeUrl: fake.url }), { workDir, name: "router" });
  return {
    router,
    fake,
    stop: async () => {
      await router.stop();
      await fake.stop();
    },
  };
}

interface StatusModel {
  name: string;
  installed: boolean;
  loaded: boolean;
  expires_at: string | null;
}

export interface StatusBackend {
  name: string;
  health: string;
  version: string | null;
  in_flight: number;
  queued: number;
  models: StatusModel[];
}

export interface RouterStatus {
  aliases: { name: string; targets: { backend: string; model: string; health: string; model_state: string }[] }[];
  backends: StatusBackend[];
}

export async function routerStatus(routerUrl: string): Promise<RouterStatus> {
  return (await getJson(`${routerUrl}/status.json`)).body as RouterStatus;
}

export function backendStatus(status: RouterStatus, backend: string): StatusBackend {
  const b = status.backends.find((x) => x.name === backend);
  if (!b) throw new Error(`no backend ${backend} on /status.json`);
  return b;
}

/** The model state the router shows for an alias's target on a backend: loaded, cold, missing, unknown. */
export function modelState(status: RouterStatus, alias: string, backend: string): string | undefined {
  return status.aliases.find((a) => a.name === alias)?.targets.find((t) => t.backend === backend)?.model_state;
}

/**
 * Requests the engine has logged on `path` ([GIN] lines, written when a request finishes). The
 * engine log is the backend's own record of which endpoint the router called.
 */
export function engineRequests(logFile: string, path: string): number {
  const needle = `"${path}"`;
  return logLines(logFile).filter((l) => l.includes("[GIN]") && l.includes(needle)).length;
}

/** A fetch that remembers the last response's headers, for clients that do not expose them. */
export function recordingFetch(): { fetch: typeof fetch; last(): Headers | undefined } {
  let headers: Headers | undefined;
  const wrapped: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    headers = res.headers;
    return res;
  };
  return { fetch: wrapped, last: () => headers };
}
