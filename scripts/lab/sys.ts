// Small system helpers for the lab: commands run to completion, daemons started in their own session
// (they must outlive `npm run lab -- up`) and ended by pid.
import { execFileSync, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { once } from "node:events";

export function say(msg: string): void {
  process.stderr.write(`[lab] ${msg}\n`);
}

/** Runs a command and returns its stdout; a failure throws with the command's stderr. */
export function sh(cmd: string, args: readonly string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}): string {
  try {
    return execFileSync(cmd, [...args], {
      cwd: opts.cwd,
      encoding: "utf8",
      input: opts.input,
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      env: opts.env ?? process.env,
      timeout: opts.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stderr?: string | Buffer; stdout?: string | Buffer; message: string };
    const out = `${e.stderr ? String(e.stderr).trim() : ""}\n${e.stdout ? String(e.stdout).trim() : ""}`.trim().slice(-1500);
    throw new Error(`${cmd} ${args.join(" ").slice(0, 200)} failed: ${out || e.message}`);
  }
}

/** Like sh(), but a failure is only reported as false (for cleanup that may find nothing to clean). */
export function trySh(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): boolean {
  try {
    sh(cmd, args, opts);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a long-lived daemon in a session of its own (spawn's `detached` is setsid(2)), output appended
 * to `logFile`, not waited for. Returns its pid. The commands used here exec their final program
 * (`ip netns exec`, `unshare`, `nsenter`, `sh -c 'exec ...'`), so the pid is the daemon's own.
 */
export function startDaemon(cmd: string, args: readonly string[], logFile: string, env: NodeJS.ProcessEnv = process.env, cwd?: string): number {
  const fd = openSync(logFile, "a");
  try {
    const child = spawn(cmd, [...args], { detached: true, stdio: ["ignore", fd, fd], env, cwd });
    if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the pid is gone. */
export async function stopPid(pid: number, graceMs = 10_000): Promise<void> {
  if (!alive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
    while (alive(pid)) await sleep(50);
  }
}

/** Polls `check` until it is true or `timeoutMs` passes (then throws naming `what`). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s${last ? ` (${last})` : ""}`);
    await sleep(250);
  }
}

/**
 * `n` distinct free loopback ports: all held open until all are known. Asked one at a time, the kernel
 * may hand out the port it just released again (etcd's client and peer ports once came out equal).
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = createServer();
      s.listen(0, "127.0.0.1");
      await once(s, "listening");
      servers.push(s);
    }
    return servers.map((s) => {
      const a = s.address();
      if (a === null || typeof a === "string") throw new Error("could not read an ephemeral port");
      return a.port;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}
