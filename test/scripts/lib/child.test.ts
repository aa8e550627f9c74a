// The scripts' child-process helper against real children: tiny `node -e` programs on loopback.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { freePort, killAll, runBounded, start, stop, stopAll, waitForHttp, waitForLine, waitUntil, type Started } from "../../../scripts/lib/child.js";

const node = process.execPath;
const dir = mkdtempSync(join(tmpdir(), "aistack-child-"));

/** A child that serves HTTP on an ephemeral loopback port and then prints {"port":P}. */
const SERVER = `const s=require("node:http").createServer((q,r)=>r.end("ok"));s.listen(0,"127.0.0.1",()=>console.log(JSON.stringify({port:s.address().port})))`;
/** A child that forks a grandchild (in its group), prints the grandchild's pid, and keeps running. */
const FORKER = `const g=require("node:child_process").spawn(process.execPath,["-e","setInterval(()=>{},1000)"],{stdio:"ignore"});console.log("grandchild "+g.pid);setInterval(()=>{},1000)`;
const IGNORES_TERM = `process.on("SIGTERM",()=>{});console.log("up");setInterval(()=>{},1000)`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until `pid` is gone (bounded); a reaped or killed process disappears quickly but not at once. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
}

const portOf = (line: string): number | undefined => (line.startsWith("{") ? (JSON.parse(line) as { port: number }).port : undefined);

afterEach(async () => {
  await stopAll();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("start and ready detection", () => {
  it("finds the ready line on stdout and the child then answers HTTP", async () => {
    const c = start(node, ["-e", SERVER]);
    const port = await waitForLine(c, portOf, 20_000, "server");
    await waitForHttp(c, `http://127.0.0.1:${port}/`, 20_000, "server");
    expect(c.isRunning()).toBe(true);
  });

  it.each<[string, string, number, RegExp]>([
    ["exits before its ready line", `console.error("no config");process.exit(3)`, 20_000, /server exited \(3\) before it was ready: no config/],
    ["never prints one", `console.log("starting");setInterval(()=>{},1000)`, 3_000, /server did not start within 3000 ms: starting/],
  ])("waitForLine fails with the child's own words when it %s", async (_what, script, timeoutMs, message) => {
    const c = start(node, ["-e", script]);
    await expect(waitForLine(c, portOf, timeoutMs, "server")).rejects.toThrow(message);
  });

  it.each<[string, string, number, RegExp]>([
    ["exits", `console.error("bad flag");process.exit(2)`, 20_000, /server exited before it was ready: bad flag/],
    ["never gets ready", `console.error("waiting");setInterval(()=>{},1000)`, 300, /server was not ready within 300 ms \(not yet\): waiting/],
  ])("waitUntil fails with the last output when the child %s", async (_what, script, timeoutMs, message) => {
    const c = start(node, ["-e", script]);
    // Once its words are out (polled, bounded), so the message can carry them.
    for (let i = 0; i < 400 && !/bad flag|waiting/.test(c.output()); i++) await new Promise((r) => setTimeout(r, 25));
    if (timeoutMs > 1000) await c.exited;
    await expect(
      waitUntil(
        c,
        () => {
          throw new Error("not yet");
        },
        timeoutMs,
        "server",
      ),
    ).rejects.toThrow(message);
  });

  it("reports a command that cannot be spawned as an exit without code or signal", async () => {
    const c = start(join(dir, "no-such-binary"), []);
    expect(await c.exited).toEqual({ code: null, signal: null });
    expect(c.output()).toMatch(/failed to start .*no-such-binary: .*ENOENT/);
  });
});

describe("exit and output", () => {
  it("resolves exited with the code, and keeps stdout and stderr in output() and the log file", async () => {
    const logFile = join(dir, "out.log");
    const c = start(node, ["-e", `console.log("to stdout");console.error("to stderr");process.exit(4)`], { logFile });
    expect(await c.exited).toEqual({ code: 4, signal: null });
    await c.stop();
    expect(c.output()).toContain("to stdout");
    expect(c.output()).toContain("to stderr");
    // The log stream flushes after stop() ends it.
    for (let i = 0; i < 100 && !readFileSync(logFile, "utf8").includes("to stderr"); i++) await new Promise((r) => setTimeout(r, 20));
    expect(readFileSync(logFile, "utf8")).toMatch(/to stdout[\s\S]*to stderr|to stderr[\s\S]*to stdout/);
  });

  it("keeps only the tail of a chatty child", async () => {
    const c = start(node, ["-e", `for(let i=0;i<2000;i++)console.log("line "+i)`]);
    await c.exited;
    await c.stop();
    expect(c.output()).toContain("line 1999");
    expect(c.output()).not.toContain("line 1\n");
    expect(c.output().length).toBeLessThanOrEqual(4000);
  });

  it("carries an IPC channel when asked", async () => {
    const c = start(node, ["-e", `process.on("message",(m)=>{process.send({echo:m});process.disconnect()})`], { ipc: true });
    const reply = new Promise((r) => c.child.once("message", r));
    c.child.send("ping");
    expect(await reply).toEqual({ echo: "ping" });
  });
});

describe("stopping", () => {
  it("stop() ends the child with SIGTERM", async () => {
    const c = start(node, ["-e", SERVER]);
    await waitForLine(c, portOf, 20_000, "server");
    await c.stop();
    expect(await c.exited).toEqual({ code: null, signal: "SIGTERM" });
    expect(c.isRunning()).toBe(false);
  });

  it("stop() falls back to SIGKILL after the grace period when SIGTERM is ignored", async () => {
    const c = start(node, ["-e", IGNORES_TERM]);
    await waitForLine(c, (l) => (l === "up" ? true : undefined), 20_000, "child");
    await stop(c.child, 200);
    expect(await c.exited).toEqual({ code: null, signal: "SIGKILL" });
  });

  it("stop() ends the whole process group: the grandchild goes with the child", async () => {
    const c = start(node, ["-e", FORKER]);
    const grandchild = await waitForLine(c, (l) => (l.startsWith("grandchild ") ? Number(l.slice(11)) : undefined), 20_000, "forker");
    expect(alive(grandchild)).toBe(true);
    await c.stop();
    expect(await gone(grandchild)).toBe(true);
  });

  it("signal() reaches the child's group: SIGKILL is a crash, and stop() afterwards only unlists it", async () => {
    const c = start(node, ["-e", FORKER]);
    const grandchild = await waitForLine(c, (l) => (l.startsWith("grandchild ") ? Number(l.slice(11)) : undefined), 20_000, "forker");
    c.signal("SIGKILL");
    expect(await c.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(await gone(grandchild)).toBe(true);
    await c.stop();
  });

  it("killAll() ends every listed group at once, synchronously", async () => {
    const a = start(node, ["-e", FORKER]);
    const b = start(node, ["-e", IGNORES_TERM]);
    // Both listen from the start: a line is only seen by a waiter subscribed before it was written.
    const [grandchild] = await Promise.all([
      waitForLine(a, (l) => (l.startsWith("grandchild ") ? Number(l.slice(11)) : undefined), 20_000, "forker"),
      waitForLine(b, (l) => (l === "up" ? true : undefined), 20_000, "child"),
    ]);
    killAll();
    expect(await a.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(await b.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(await gone(grandchild)).toBe(true);
  });
});

describe("runBounded", () => {
  it.each<[string, string, number, Partial<{ code: number | null; signal: string | null; timedOut: boolean }>]>([
    ["a command that finishes", `process.exit(5)`, 20_000, { code: 5, signal: null, timedOut: false }],
    ["a command past its time limit", `setInterval(()=>{},1000)`, 300, { code: null, signal: "SIGTERM", timedOut: true }],
  ])("runs %s to its end", async (_what, script, timeoutMs, expected) => {
    const logFile = join(dir, "bounded.log");
    expect(await runBounded(node, ["-e", script], { timeoutMs, logFile })).toMatchObject(expected);
  });
});

describe("freePort", () => {
  it("gives a loopback port a child can listen on", async () => {
    const port = await freePort();
    const c: Started = start(node, ["-e", `require("node:http").createServer((q,r)=>r.end()).listen(${port},"127.0.0.1",()=>console.log("up"))`]);
    await waitForLine(c, (l) => (l === "up" ? true : undefined), 20_000, "listener");
    await waitForHttp(c, `http://127.0.0.1:${port}/`, 20_000, "listener");
  });
});
