// npm run e2e [-- <vitest args>]
//
// Builds (or reuses) a pinned Ollama, generates two tiny models, serves them on a loopback port
// and runs the end-to-end suite (test/e2e/vitest.config.ts) against it. Everything started here is
// stopped on the way out, on success, failure or Ctrl-C.
//
// Environment for the suite (read by test/e2e/env.ts):
//   AISTACK_E2E_OLLAMA_URL, AISTACK_E2E_OLLAMA_LOG, AISTACK_E2E_MODELS (comma-separated),
//   AISTACK_E2E_KEEP_ALIVE_S, AISTACK_E2E_WORKDIR (the temp dir: the engine's models and HOME
//   live there, and the suite may write configs into it), AISTACK_E2E_OLLAMA_BIN and
//   AISTACK_E2E_OLLAMA_PID (to kill the engine and start it again on the same port and models);
//   AISTACK_E2E_PROMETHEUS_BIN (built if missing, scripts/e2e/prometheus.ts) or, when there is none,
//   AISTACK_E2E_PROMETHEUS_ABSENT (why: the dashboard's suite skips with that line).
// Knobs: AISTACK_E2E_CACHE (build cache), AISTACK_E2E_KEEP=1 (keep the temp dir), OLLAMA_DEBUG.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureOllama } from "./ollama.js";
import { ensurePrometheus } from "./prometheus.js";
import { createTinyModels, startOllama, type OllamaServer } from "./ollama-serve.js";
import { runBounded, runMain, stopAll } from "../lib/child.js";
import { REPO_ROOT } from "./router.js";

const E2E_MODELS = ["tiny-a", "tiny-b"] as const;
const E2E_KEEP_ALIVE_S = 5;
const SUITE_TIMEOUT_MS = 20 * 60_000;
const E2E_VITEST_CONFIG = join("test", "e2e", "vitest.config.ts");

function say(msg: string): void {
  process.stderr.write(`[e2e] ${msg}\n`);
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

async function main(): Promise<number> {
  const install = await ensureOllama();
  const prometheus = await ensurePrometheus();
  const workDir = mkdtempSync(join(tmpdir(), "aistack-e2e-"));
  let server: OllamaServer | undefined;
  let ok = false;
  try {
    server = await startOllama({
      binary: install.binary,
      workDir,
      keepAlive: `${E2E_KEEP_ALIVE_S}s`,
      maxLoadedModels: 1,
      numParallel: 1,
    });
    say(`ollama ${install.version} serving on ${server.url} (log: ${server.logFile})`);
    await createTinyModels(install.binary, server, workDir, E2E_MODELS);
    say(`models ${E2E_MODELS.join(", ")} created`);

    const vitest = join(REPO_ROOT, "node_modules", "vitest", "vitest.mjs");
    const result = await runBounded(process.execPath, [vitest, "run", "-c", E2E_VITEST_CONFIG, ...process.argv.slice(2)], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        AISTACK_E2E_OLLAMA_URL: server.url,
        AISTACK_E2E_OLLAMA_LOG: server.logFile,
        AISTACK_E2E_OLLAMA_BIN: install.binary,
        AISTACK_E2E_OLLAMA_PID: String(server.proc.child.pid ?? ""),
        AISTACK_E2E_MODELS: E2E_MODELS.join(","),
        AISTACK_E2E_KEEP_ALIVE_S: String(E2E_KEEP_ALIVE_S),
        AISTACK_E2E_WORKDIR: workDir,
        ...("binary" in prometheus ? { AISTACK_E2E_PROMETHEUS_BIN: prometheus.binary } : { AISTACK_E2E_PROMETHEUS_ABSENT: prometheus.absent }),
      },
      timeoutMs: SUITE_TIMEOUT_MS,
    });
    if (result.timedOut) say(`the suite did not finish within ${SUITE_TIMEOUT_MS / 60_000} min`);
    ok = result.code === 0 && !result.timedOut;
    return ok ? 0 : 1;
  } finally {
    await stopAll();
    if (!ok && server) say(`last lines of the ollama log (${server.logFile}):\n${tail(server.logFile, 40)}`);
    if (ok && process.env.AISTACK_E2E_KEEP !== "1") rmSync(workDir, { recursive: true, force: true });
    else say(`kept ${workDir}`);
  }
}

runMain(main, say);
