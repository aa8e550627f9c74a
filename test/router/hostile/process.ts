// The real router process (router/main.ts through tsx) on a config file in a temporary directory:
// its output, its exit, and whether it is alive and serving its ops endpoints.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { until } from "../harness.js";

export interface RouterProcess {
  child: ChildProcess;
  file: string;
  /** stdout and stderr so far. */
  out(): string;
  exited: Promise<number | null>;
  url: string;
  /** Replaces the config file the way deploy tools do (write + rename). */
  write(text: string): Promise<void>;
  /** Number of log lines whose msg starts with this so far. */
  count(msg: string): number;
  /** The process has not exited and /healthz, /status and /status.json answer 200. */
  serving(): Promise<boolean>;
  stop(): Promise<void>;
}

/** Spawns the router on `text` as its config file (or what `make` puts at its path); `url` is empty when it never listened. */
export async function spawnRouter(text: string | ((file: string) => Promise<void>), opts: { waitListening?: boolean } = {}): Promise<RouterProcess> {
  const dir = await mkdtemp(join(tmpdir(), "router-proc-"));
  const file = join(dir, "router.json");
  if (typeof text === "string") await writeFile(file, text);
  else await text(file);
  const child = spawn(process.execPath, ["--import", "tsx", "router/main.ts", "--config", file, "--port", "0"], {
    cwd: process.cwd(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (out += c.toString()));
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve((code = c))));
  const p: RouterProcess = {
    child,
    file,
    out: () => out,
    exited,
    url: "",
    async write(t) {
      await writeFile(file + ".tmp", t);
      await rename(file + ".tmp", file);
    },
    count: (msg) => out.split("\n").filter((l) => l.includes(`"msg":"${msg}`)).length,
    async serving() {
      if (code !== undefined) return false;
      for (const path of ["/healthz", "/status", "/status.json"]) {
        const res = await fetch(p.url + path, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
        if (res?.status !== 200) return false;
        await res.text();
      }
      return code === undefined;
    },
    async stop() {
      if (code === undefined) child.kill("SIGKILL");
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
  if (opts.waitListening === false) return p;
  await until(() => out.includes('"msg":"listening"') || code !== undefined, "listening", 30_000);
  p.url = (/"url":"([^"]+)"/.exec(out) ?? [])[1] ?? "";
  return p;
}
