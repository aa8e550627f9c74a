// Drives wrk (the load generator) with a generated Lua script and reads back the exact numbers
// its `done` hook prints as one JSON line, instead of parsing the rounded human summary.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface WrkRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

export interface WrkResult {
  requests: number;
  durationS: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Socket errors plus non-2xx/3xx answers. */
  errors: number;
  non2xx: number;
}

const MARK = "WRK_JSON ";

/** Lua long strings need a level of '=' that the text does not contain. */
function luaString(text: string): string {
  let eq = "";
  while (text.includes(`]${eq}]`)) eq += "=";
  return `[${eq}[${text}]${eq}]`;
}

export function wrkScript(req: Omit<WrkRequest, "url">): string {
  const headerLines = Object.entries(req.headers).map(([k, v]) => `wrk.headers[ ${luaString(k)} ] = ${luaString(v)}`);
  return [
    'wrk.method = "POST"',
    `wrk.body = ${luaString(req.body)}`,
    ...headerLines,
    "done = function(summary, latency, requests)",
    "  local e = summary.errors",
    `  io.write(string.format("${MARK}{\\"requests\\":%d,\\"duration_us\\":%d,\\"connect\\":%d,\\"read\\":%d,\\"write\\":%d,\\"timeout\\":%d,\\"status\\":%d,\\"p50\\":%d,\\"p90\\":%d,\\"p99\\":%d,\\"max\\":%d}\\n",`,
    "    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,",
    "    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))",
    "end",
    "",
  ].join("\n");
}

interface WrkRaw {
  requests: number;
  duration_us: number;
  connect: number;
  read: number;
  write: number;
  timeout: number;
  status: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function isWrkRaw(v: unknown): v is WrkRaw {
  if (typeof v !== "object" || v === null) return false;
  const keys = ["requests", "duration_us", "connect", "read", "write", "timeout", "status", "p50", "p90", "p99", "max"];
  return keys.every((k) => typeof (v as Record<string, unknown>)[k] === "number");
}

/** Reads the JSON line of wrkScript's `done` hook from wrk's stdout. */
export function parseWrkOutput(stdout: string): WrkResult {
  const line = stdout.split("\n").find((l) => l.startsWith(MARK));
  if (line === undefined) throw new Error(`wrk printed no result line: ${stdout.slice(0, 300)}`);
  const raw: unknown = JSON.parse(line.slice(MARK.length));
  if (!isWrkRaw(raw)) throw new Error(`wrk result line is malformed: ${line}`);
  const durationS = raw.duration_us / 1e6;
  const socketErrors = raw.connect + raw.read + raw.write + raw.timeout;
  return {
    requests: raw.requests,
    durationS,
    rps: durationS > 0 ? raw.requests / durationS : 0,
    p50Ms: raw.p50 / 1000,
    p90Ms: raw.p90 / 1000,
    p99Ms: raw.p99 / 1000,
    maxMs: raw.max / 1000,
    errors: socketErrors + raw.status,
    non2xx: raw.status,
  };
}

export interface WrkRun {
  connections: number;
  durationS: number;
  threads?: number;
}

/** Runs wrk once; bounded by its own duration plus a margin. */
export function runWrk(req: WrkRequest, run: WrkRun): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), "aistack-wrk-"));
  const script = join(dir, "post.lua");
  writeFileSync(script, wrkScript(req));
  const threads = Math.min(run.threads ?? 1, run.connections);
  const args = ["-t", String(threads), "-c", String(run.connections), "-d", `${run.durationS}s`, "--timeout", "10s", "-s", script, req.url];
  return new Promise((resolve, reject) => {
    execFile("wrk", args, { timeout: (run.durationS + 20) * 1000, killSignal: "SIGKILL" }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`wrk failed: ${err.message} ${stderr.slice(0, 300)}`));
      try {
        resolve(parseWrkOutput(stdout));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}
