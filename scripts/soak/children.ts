// Child processes of the soak: engine fakes (tools/fakes/cli.ts) and the router (router/main.ts), run
// with `node --import tsx` so the pid is the process itself (its RSS is the router's), through the
// scripts' shared child helper, which ends every child when the soak ends, whatever way it ends.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { start, waitForLine, type Started } from "../lib/child.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

const isRunning = (c: Started | undefined): c is Started => c !== undefined && c.isRunning();

function startScript(script: string, args: string[], ipc: boolean, graceMs: number): Started {
  const child = start(process.execPath, ["--import", "tsx", repoRoot + script, ...args], { cwd: repoRoot, ipc, graceMs });
  void child.exited.then(({ code, signal }) => {
    if (signal !== "SIGKILL" && signal !== "SIGTERM" && code !== 0 && code !== null)
      process.stderr.write(`${script} exited ${code}: ${child.output().slice(-2_000)}\n`);
  });
  return child;
}

const READY_MS = 30_000;

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
  private child: Started | undefined;
  kills = 0;

  constructor(readonly spec: FakeSpec) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return isRunning(this.child);
  }

  async start(): Promise<void> {
    const child = startScript("tools/fakes/cli.ts", ["--engine", this.spec.engine, "--port", String(this.port), ...this.spec.args], true, 3_000);
    this.child = child;
    const ready = await waitForLine(child, (l) => (l.startsWith("{") ? (JSON.parse(l) as { port: number }) : undefined), READY_MS, `fake ${this.spec.name}`);
    this.port = ready.port;
  }

  /** A crash: SIGKILL drops every connection at once. */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || !this.running) return;
    this.kills++;
    c.signal("SIGKILL");
    await c.stop();
  }

  /** The fake's own stats, over the IPC channel. */
  stats(limitMs = 5_000): Promise<FakeStatsReply | undefined> {
    const c = this.child?.child;
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
    return this.child?.stop() ?? Promise.resolve();
  }
}

export class RouterProcess {
  url = "";
  private child: Started | undefined;

  async start(configFile: string): Promise<void> {
    const child = startScript("router/main.ts", ["--config", configFile], false, 10_000);
    this.child = child;
    this.url = await waitForLine(
      child,
      (l) => {
        if (!l.startsWith("{")) return undefined;
        const m = JSON.parse(l) as { msg?: string; url?: string };
        return m.msg === "listening" ? m.url : undefined;
      },
      READY_MS,
      "router",
    );
  }

  get pid(): number | undefined {
    return this.child?.child.pid;
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
    return this.child?.stop() ?? Promise.resolve();
  }
}
