// Builds (if missing) a pinned Prometheus from its Go module into a cache outside the repository, for
// the dashboard's end-to-end check (test/e2e/prometheus-dashboard.test.ts). Prometheus 3.x is served
// by the module proxy as v0.3XX.Y (v0.316.0 is 3.16.0). Only the API is used: the web UI's assets,
// which the module does not carry, are not needed (the binary serves the API without them).
import { existsSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { homedir } from "node:os";
import { join } from "node:path";
import { runBounded } from "../lib/child.js";

const PROMETHEUS_MODULE_VERSION = "v0.316.0";
const PROMETHEUS_PACKAGE = "github.com/prometheus/prometheus/cmd/prometheus";

function say(msg: string): void {
  process.stderr.write(`[e2e] ${msg}\n`);
}

/** `~/.cache/aistack/prometheus/<version>` (or under XDG_CACHE_HOME). */
function prometheusDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "aistack", "prometheus", PROMETHEUS_MODULE_VERSION);
}

function hasGo(): boolean {
  try {
    execFileSync("go", ["version"], { stdio: "ignore", env: { ...process.env, GOTOOLCHAIN: "local" } });
    return true;
  } catch {
    return false;
  }
}

/**
 * The binary's path, building it first when absent; or why there is none (no Go, a failed build),
 * in one line for the suite to skip with. The build logs to `<dir>/build.log`.
 */
export async function ensurePrometheus(dir = prometheusDir()): Promise<{ binary: string } | { absent: string }> {
  const binary = join(dir, "prometheus");
  if (existsSync(binary)) {
    say(`using cached prometheus ${PROMETHEUS_MODULE_VERSION} at ${binary}`);
    return { binary };
  }
  if (!hasGo()) return { absent: "the Go toolchain (`go`) is not installed, so Prometheus cannot be built" };
  mkdirSync(dir, { recursive: true });
  const logFile = join(dir, "build.log");
  const limitMin = Number(process.env.AISTACK_E2E_BUILD_TIMEOUT_MIN ?? "90");
  say(`building prometheus ${PROMETHEUS_MODULE_VERSION} from its Go module (the first build takes a while); log: ${logFile}`);
  const started = Date.now();
  const r = await runBounded("go", ["install", `${PROMETHEUS_PACKAGE}@${PROMETHEUS_MODULE_VERSION}`], {
    cwd: dir,
    env: { ...process.env, GOBIN: dir, GOFLAGS: "-mod=mod -buildvcs=false", GOTOOLCHAIN: "local", CGO_ENABLED: "0" },
    timeoutMs: limitMin * 60_000,
    logFile,
  });
  if (r.timedOut || r.code !== 0 || !existsSync(binary))
    return { absent: `building prometheus failed${r.timedOut ? ` (over ${limitMin} min)` : ""}; see ${logFile}` };
  say(`built prometheus in ${Math.round((Date.now() - started) / 60_000)} min`);
  return { binary };
}
