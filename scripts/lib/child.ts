// Child processes of the scripts (bench, soak, e2e, e2e-infra), started and ended one way. Each child
// leads its own process group (spawned detached), so stopping it also ends what it forked (nginx
// workers, an engine's model runners). Its output is kept (the last lines, for error messages) and
// optionally appended to a log file. Every child still listed is ended when the script exits, fails
// or is interrupted, so none outlives the run.
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { createServer } from "node:net";

export interface StartOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Appends stdout and stderr to this file as well. */
  logFile?: string;
  /** Adds an IPC channel (child.send / "message"), for children that are Node scripts. */
  ipc?: boolean;
  /** stdout and stderr go to the terminal instead of being captured (no output() then). */
  inherit?: boolean;
  /** How long stop() waits after SIGTERM before SIGKILL, unless told otherwise (default 3000 ms). */
  graceMs?: number;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Started {
  readonly child: ChildProcess;
  readonly logFile: string | undefined;
  /** Resolves once the child has exited (code and signal both null when it could not be spawned). */
  readonly exited: Promise<Exit>;
  /** Resolves once stdout and stderr are closed as well (later than exit when a grandchild holds them). */
  readonly closed: Promise<void>;
  /** The last few thousand characters the child wrote on stdout and stderr. */
  output(): string;
  /** Calls `listener` with each stdout line written from now on; returns the unsubscribe. */
  onLine(listener: (line: string) => void): () => void;
  isRunning(): boolean;
  /** Sends `signal` to the child's process group (SIGKILL: a crash, every connection dropped at once). */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM to the group, SIGKILL after graceMs; resolves once the child has exited. */
  stop(graceMs?: number): Promise<void>;
}

const TAIL_CHARS = 4000;
const live = new Map<ChildProcess, Started>();

/**
 * Signals the process group the child leads. With `evenIfExited`, also after the leader died: its
 * own children may outlive it in the same group.
 */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals, evenIfExited = false): void {
  if (child.pid === undefined) return;
  if (!evenIfExited && (child.exitCode !== null || child.signalCode !== null)) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGKILL to every listed group; synchronous so it also works from an `exit` handler. */
export function killAll(): void {
  for (const child of live.keys()) signalGroup(child, "SIGKILL", true);
  live.clear();
}

/** Stops every listed child, each with its own grace period. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live.values()].map((s) => s.stop()));
}

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", killAll);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      void stopAll().finally(() => process.exit(130));
    });
  }
}

/** Starts `command` as the leader of a new process group, listed until it is stopped. */
export function start(command: string, args: readonly string[], opts: StartOptions = {}): Started {
  hookExit();
  const stdio: StdioOptions = opts.inherit ? "inherit" : ["ignore", "pipe", "pipe", ...(opts.ipc ? (["ipc"] as const) : [])];
  const child = spawn(command, [...args], { cwd: opts.cwd, env: opts.env ?? process.env, stdio, detached: true });
  const log: WriteStream | undefined = opts.logFile ? createWriteStream(opts.logFile, { flags: "a" }) : undefined;
  let tail = "";
  const keep = (b: Buffer): void => {
    tail = (tail + b.toString("utf8")).slice(-TAIL_CHARS);
    // Output can still arrive after stop() ended the log (exit comes before the pipes close).
    if (log && !log.writableEnded) log.write(b);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const listeners = new Set<(line: string) => void>();
  let partial = "";
  child.stdout?.on("data", (b: Buffer) => {
    if (listeners.size === 0) {
      partial = "";
      return;
    }
    const lines = (partial + b.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) for (const l of [...listeners]) l(line);
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (err) => {
      keep(Buffer.from(`failed to start ${command}: ${err.message}\n`));
      resolve({ code: null, signal: null });
    });
  });
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const isRunning = (): boolean => child.pid !== undefined && child.exitCode === null && child.signalCode === null;
  const started: Started = {
    child,
    logFile: opts.logFile,
    exited,
    closed,
    output: () => tail,
    onLine(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    isRunning,
    signal: (sig) => signalGroup(child, sig),
    async stop(graceMs = opts.graceMs ?? 3000): Promise<void> {
      if (isRunning()) {
        signalGroup(child, "SIGTERM");
        const timer = setTimeout(() => signalGroup(child, "SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // The group may outlive its leader (a worker still shutting down): make sure it is gone.
      if (live.delete(child)) signalGroup(child, "SIGKILL", true);
      log?.end();
    },
  };
  // Stays listed after it exits, until stopped: its group may still hold children to reap.
  live.set(child, started);
  return started;
}

/** Stops a child that start() returned, by its ChildProcess. */
export function stop(child: ChildProcess, graceMs?: number): Promise<void> {
  return live.get(child)?.stop(graceMs) ?? Promise.resolve();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Where to look when a child misbehaves: its log file, or the last lines it wrote (once they are all in, or after 1 s). */
async function whereToLook(s: Started): Promise<string> {
  if (s.logFile) return `see ${s.logFile}`;
  if (!s.isRunning()) await Promise.race([s.closed, sleep(1_000)]);
  return s.output().trim().slice(-600);
}

/** Polls until check() resolves true (a throw counts as not yet), the child exits, or timeoutMs passes. */
export async function waitUntil(started: Started, check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  for (;;) {
    if (!started.isRunning()) throw new Error(`${what} exited before it was ready: ${await whereToLook(started)}`);
    try {
      if (await check()) return;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`${what} was not ready within ${timeoutMs} ms (${last}): ${await whereToLook(started)}`);
    await sleep(200);
  }
}

/** Polls `probe` every second until it gives a value (a throw counts as not yet), or throws after timeoutMs. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(1_000);
  }
  throw new Error(`${what} not within ${timeoutMs / 1000}s${last instanceof Error ? `: ${last.message}` : ""}`);
}

/** Polls `url` until it answers 2xx (see waitUntil). */
export function waitForHttp(started: Started, url: string, timeoutMs: number, what: string): Promise<void> {
  return waitUntil(
    started,
    async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return true;
    },
    timeoutMs,
    `${what} (${url})`,
  );
}

/** Resolves with the first stdout line from now on that `accept` maps to a value; rejects if the child exits or timeoutMs passes first. */
export function waitForLine<T>(started: Started, accept: (line: string) => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: (() => Promise<Error>) | undefined, value?: T): void => {
      if (done) return;
      done = true;
      off();
      clearTimeout(timer);
      if (err) void err().then(reject);
      else resolve(value as T);
    };
    const timer = setTimeout(() => finish(async () => new Error(`${what} did not start within ${timeoutMs} ms: ${await whereToLook(started)}`)), timeoutMs);
    const off = started.onLine((line) => {
      const v = done ? undefined : accept(line);
      if (v !== undefined) finish(undefined, v);
    });
    void started.exited.then((e) =>
      finish(async () => new Error(`${what} exited (${e.code ?? e.signal ?? "not started"}) before it was ready: ${await whereToLook(started)}`)),
    );
  });
}

export interface RunResult extends Exit {
  timedOut: boolean;
}

/** Runs a command to completion with a hard time limit (SIGTERM, SIGKILL 5 s later); output to `logFile` or the terminal. */
export async function runBounded(
  command: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number; logFile?: string },
): Promise<RunResult> {
  const started = start(command, args, { env: opts.env, cwd: opts.cwd, logFile: opts.logFile, inherit: opts.logFile === undefined, graceMs: 5_000 });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void started.stop();
  }, opts.timeoutMs);
  try {
    return { ...(await started.exited), timedOut };
  } finally {
    clearTimeout(timer);
    await started.stop();
  }
}

/** An ephemeral loopback port, free at the time of asking (another process could take it; the start check catches that). */
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
