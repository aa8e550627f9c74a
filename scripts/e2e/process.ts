// Child processes for the end-to-end run: started in their own process group (so an engine's
// own children, such as Ollama's model runners, go with it), output captured to a log file, and
// always stopped on exit, failure or Ctrl-C.

import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { createServer } from "node:net";

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ManagedProcess>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // Synchronous last resort: 'exit' handlers cannot await, so signal each group directly.
  process.on("exit", () => {
    for (const p of running) signalGroup(p.child, "SIGKILL", true);
  });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      void stopAll().finally(() => process.exit(130));
    });
  }
}

/**
 * Signals the process group the child leads (it was spawned detached). With `evenIfExited`, also
 * after the leader died: its children (an engine's runners) may outlive it in the same group.
 */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals, evenIfExited = false): void {
  if (child.pid === undefined) return;
  if (!evenIfExited && (child.exitCode !== null || child.signalCode !== null)) return;
  try {
    // Negative pid: the whole process group this child leads (it was spawned detached).
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

export interface StartOptions {
  name: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
}

/** Starts a long-running process whose stdout and stderr go to `logFile`. */
export function startProcess(opts: StartOptions): ManagedProcess {
  installExitHooks();
  const log: WriteStream = createWriteStream(opts.logFile, { flags: "a" });
  const spawnOpts: SpawnOptions = {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  };
  const child = spawn(opts.command, [...opts.args], spawnOpts);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
    child.once("error", (err) => {
      log.write(`failed to start ${opts.command}: ${err.message}\n`);
      resolve("spawn-error");
    });
  });
  const managed: ManagedProcess = {
    name: opts.name,
    child,
    logFile: opts.logFile,
    exited,
    async stop(graceMs = 10_000): Promise<void> {
      signalGroup(child, "SIGTERM");
      const timer = setTimeout(() => signalGroup(child, "SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
      // The group may outlive its leader (a runner still shutting down): make sure it is gone.
      signalGroup(child, "SIGKILL", true);
      running.delete(managed);
      log.end();
    },
  };
  // Stays listed after it exits, until stopped: its group may still hold children to reap.
  running.add(managed);
  return managed;
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

/** Runs a command to completion with a hard time limit; output goes to `logFile` (or inherits). */
export async function runBounded(
  command: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number; logFile?: string },
): Promise<RunResult> {
  installExitHooks();
  const log = opts.logFile ? createWriteStream(opts.logFile, { flags: "a" }) : undefined;
  const child = spawn(command, [...args], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: log ? ["ignore", "pipe", "pipe"] : "inherit",
    detached: true,
  });
  if (log) {
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
  }
  const managed: ManagedProcess = {
    name: command,
    child,
    logFile: opts.logFile ?? "",
    exited: Promise.resolve(0),
    stop: () => Promise.resolve(signalGroup(child, "SIGKILL")),
  };
  running.add(managed);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signalGroup(child, "SIGTERM");
    setTimeout(() => signalGroup(child, "SIGKILL"), 5_000).unref();
  }, opts.timeoutMs);
  try {
    const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
    return { code, signal, timedOut };
  } finally {
    clearTimeout(timer);
    running.delete(managed);
    log?.end();
  }
}

/** An ephemeral loopback port, free at the time of asking. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("could not read an ephemeral port");
  return address.port;
}

/**
 * Polls `url` until it answers 2xx, the process exits, or the deadline passes. Fails with the
 * process's log path so the cause is one `cat` away.
 */
export async function waitForHttp(url: string, proc: ManagedProcess | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc?.exited.then(() => {
    exited = true;
  });
  let lastError = "no answer";
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${proc?.name ?? "process"} exited before ${url} answered; see ${proc?.logFile}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${lastError}); see ${proc?.logFile ?? "the log"}`);
}

/** Runs a script's main and exits with its code; on a throw, says why, stops every child, exits 1. */
export function runMain(main: () => Promise<number>, say: (msg: string) => void): void {
  main().then(
    (code) => process.exit(code),
    async (err: unknown) => {
      say(`failed: ${err instanceof Error ? err.message : String(err)}`);
      await stopAll();
      process.exit(1);
    },
  );
}
