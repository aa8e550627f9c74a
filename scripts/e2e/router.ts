// Starts the router as its own process (`tsx router/main.ts --config <file> --port N`) for the
// end-to-end scenarios, and waits until it says it is ready.

import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { RouterConfigInput } from "../../router/config/schema.js";
import { freePort, start, waitForHttp, type Started } from "../lib/child.js";

export const REPO_ROOT = resolve(import.meta.dirname, "..", "..");

export interface RouterProcess {
  url: string;
  configFile: string;
  logFile: string;
  proc: Started;
  /** Rewrites the config file; the router hot-reloads it. */
  writeConfig(config: RouterConfigInput): void;
  stop(): Promise<void>;
}

export async function startRouter(
  config: RouterConfigInput,
  opts: { workDir: string; name?: string; readyPath?: string; readyTimeoutMs?: number },
): Promise<RouterProcess> {
  const name = opts.name ?? "router";
  const port = await freePort();
  const configFile = join(opts.workDir, `${name}.json`);
  const writeConfig = (cfg: RouterConfigInput): void => writeFileSync(configFile, JSON.stringify(cfg, null, 2));
  writeConfig(config);
  const logFile = join(opts.workDir, `${name}.log`);
  const tsx = join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  const proc = start(process.execPath, [tsx, join(REPO_ROOT, "router", "main.ts"), "--config", configFile, "--port", String(port), "--host", "127.0.0.1"], {
    cwd: REPO_ROOT,
    logFile,
    graceMs: 10_000,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(proc, `${url}${opts.readyPath ?? "/readyz"}`, opts.readyTimeoutMs ?? 60_000, name);
  return { url, configFile, logFile, proc, writeConfig, stop: () => proc.stop() };
}
