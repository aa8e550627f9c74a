// Starting, killing and restarting an engine for scenarios that need an outage. A restart reuses
// the port, models directory and log, so whatever pointed at the engine keeps pointing at it.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createTinyModels, startOllama, type OllamaServeOptions, type OllamaServer } from "../../scripts/e2e/ollama-serve.js";
import type { E2eEnv } from "./env.js";

/** Options for another engine like the one `npm run e2e` started, in its own directory. */
function engineOptions(env: E2eEnv, name: string): OllamaServeOptions {
  const workDir = join(env.workDir, name);
  mkdirSync(workDir, { recursive: true });
  return { binary: env.ollamaBinary, workDir, keepAlive: `${env.keepAliveS}s`, maxLoadedModels: 1, numParallel: 1 };
}

/** Starts another engine with the same two tiny models; `over` changes its settings (slots, debug log). */
export async function startEngine(
  env: E2eEnv,
  name: string,
  over: Partial<OllamaServeOptions> = {},
): Promise<{ server: OllamaServer; options: OllamaServeOptions }> {
  const options = { ...engineOptions(env, name), ...over };
  const server = await startOllama(options);
  await createTinyModels(env.ollamaBinary, server, options.workDir, env.models);
  return { server, options };
}

/** SIGKILL to the whole process group: `ollama serve` and its model runners, no clean shutdown. */
export function killEngine(pid: number | undefined): void {
  if (!pid) throw new Error("no engine pid");
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** True while any process of the group led by `pid` is alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function restartEngine(options: OllamaServeOptions, url: string): Promise<OllamaServer> {
  return startOllama({ ...options, port: Number(new URL(url).port) });
}
