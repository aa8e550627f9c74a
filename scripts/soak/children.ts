// Child processes of the soak: engine fakes (test/fakes/cli.ts) and the router (router/main.ts), run
// with `node --import tsx` so the pid is the process itself (its RSS is the router's). Every child is
// killed when the soak ends, whatever way it ends.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

const live = new Set<ChildProcess>();

function isRunning(c: ChildProcess | undefined): c is ChildProcess {
  return c !== undefined && c.exitCode === null && c.signalCode === null;
}

/** Kills every child still running (SIGKILL: nothing to drain at that point). */
export function killAll(): void {
  for (const c of live) if (isRunning(c)) c.kill("SIGKILL");
  live.clear();
}

/** SIGTERM, and SIGKILL if the child has not exited after `graceMs`; resolves once it has exited. */
async function terminate(c: ChildProcess | undefined, graceMs: number): Promise<void> {
  if (!isRunning(c)) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => c.kill("SIGKILL"), graceMs);
    c.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    c.kill("SIGTERM");
  });
}
process.once("exit", killAll);

function start(script: string, args: string[], ipc: boolean): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", repoRoot + script, ...args], {
    cwd: repoRoot,
    stdio: ipc ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  child.once("exit", () => live.delete(child));
  // stderr is drained so a chatty child never blocks on a full pipe; its tail is kept for the report.
  let tail = "";
  child.stderr?.on("data", (c: Buffer) => (tail = (tail + c.toString("utf8")).slice(-2_000)));
  child.once("exit", (code, signal) => {
    if (signal !== "SIGKILL" && signal !== "SIGTERM" && code !== 0 && code !== null) process.stderr.write(`${script} exited ${code}: ${tail}\n`);
  });
  return child;
}

/** Resolves with the first stdout line that `accept` recognises; stdout keeps being drained after it. */
function firstLine<T>(child: ChildProcess, accept: (line: string) => T | undefined, what: string, limitMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    let done = false;
    const finish = (err: Error | undefined, value?: T): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value as T);
    };
    const timer = setTimeout(() => finish(new Error(`${what} did not start within ${limitMs} ms`)), limitMs);
    lines.on("line", (line) => {
      if (done) return;
      const v = accept(line);
      if (v !== undefined) finish(undefined, v);
    });
    child.once("exit", (code) => finish(new Error(`${what} exited (${code ?? "signal"}) before it was ready`)));
  });
}

export interface FakeSpec {
  name: string;
  engine: "vllm" | "ollama" | "llamacpp" | "openai";
  /** Killed and restarted while the soak runs. */
  flaps: boolean;
  args: string[];
}

export interface FakeStatsReply {
  stats: { inFlight: number; activeGenerations: number; openConnections: number; generationsStarted: number; generationsAborted: number; loadsAborted: number };
}

export class FakeProcess {
  port = 0;
  private child: ChildProcess | undefined;
  kills = 0;

  constructor(readonly spec: FakeSpec) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return isRunning(this.child);
  }

  async start(): Promise<void> {
    const child = start("test/fakes/cli.ts", ["--engine", this.spec.engine, "--port", String(this.port), ...this.spec.args], true);
    this.child = child;
    const ready = await firstLine(child, (l) => (l.startsWith("{") ? (JSON.parse(l) as { port: number }) : undefined), `fake ${this.spec.name}`);
    this.port = ready.port;
  }

  /** A crash: SIGKILL drops every connection at once. */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || !this.running) return;
    this.kills++;
    await new Promise<void>((resolve) => {
      c.once("exit", () => resolve());
      c.kill("SIGKILL");
    });
  }

  /** The fake's own stats, over the IPC channel. */
  stats(limitMs = 5_000): Promise<FakeStatsReply | undefined> {
    const c = this.child;
    if (!c || !this.running) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        c.off("message", onMessage);
        resolve(undefined);
      }, limitMs);
      const onMessage = (m: unknown): void => {
        clearTimeout(timer);
        c.off("message", onMessage);
        resolve(m as FakeStatsReply);
      };
      c.on("message", onMessage);
      c.send("stats");
    });
  }

  stop(): Promise<void> {
    return terminate(this.child, 3_000);
  }
}

export class RouterProcess {
  url = "";
  private child: ChildProcess | undefined;

  async start(configFile: string): Promise<void> {
    const child = start("router/main.ts", ["--config", configFile], false);
    this.child = child;
    this.url = await firstLine(
      child,
      (l) => {
        if (!l.startsWith("{")) return undefined;
        const m = JSON.parse(l) as { msg?: string; url?: string };
        return m.msg === "listening" ? m.url : undefined;
      },
      "router",
    );
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return isRunning(this.child);
  }

  /** Resident set size in bytes (Linux /proc), undefined elsewhere. */
  rss(): number | undefined {
    if (this.pid === undefined) return undefined;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, "utf8"));
      return m ? Number(m[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  /** SIGTERM: the router drains, then exits. */
  stop(): Promise<void> {
    return terminate(this.child, 10_000);
  }
}
