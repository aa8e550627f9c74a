// Active health: one probe loop per backend through its engine adapter (never inference). The interval
// doubles while a backend is down, up to a cap, so a dead host is not hammered (schedule.ts).
import type { Dispatcher } from "undici";
import type { ProbeIO, ProbeResponse } from "../engines/types.js";
import { onAbort, type CancelSignal } from "../cancel.js";
import { liftByProbe } from "./passive.js";
import { nextInterval, type ProbeTiming } from "./schedule.js";
import type { Backend } from "../backends/registry.js";

const MAX_PROBE_BODY = 4 * 1024 * 1024;

async function call(
  pool: Dispatcher,
  method: "GET" | "POST",
  path: string,
  body: unknown,
  headers: Record<string, string>,
  timeoutMs: number,
  stop?: CancelSignal,
): Promise<ProbeResponse> {
  if (!stop) return callUntil(pool, method, path, body, headers, timeoutMs, AbortSignal.timeout(timeoutMs));
  const ac = new AbortController();
  const stopListening = onAbort(stop, () => ac.abort());
  try {
    return await callUntil(pool, method, path, body, headers, timeoutMs, AbortSignal.any([ac.signal, AbortSignal.timeout(timeoutMs)]));
  } finally {
    stopListening();
  }
}

async function callUntil(
  pool: Dispatcher,
  method: "GET" | "POST",
  path: string,
  body: unknown,
  headers: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<ProbeResponse> {
  const res = await pool.request({
    method,
    path,
    headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res.body) {
    const b = c as Buffer;
    size += b.length;
    if (size > MAX_PROBE_BODY) {
      res.body.destroy();
      break;
    }
    chunks.push(b);
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, json };
}

/** Calls to a backend's own endpoints (a probe; a face's tokenizer call, which `stop` ends when the client leaves). */
export function probeIO(b: Backend, timeoutMs: number, stop?: CancelSignal): ProbeIO {
  const headers: Record<string, string> = b.config.apiKey ? { authorization: `Bearer ${b.config.apiKey}` } : {};
  return {
    get: (path) => call(b.pool, "GET", path, undefined, headers, timeoutMs, stop),
    post: (path, body) => call(b.pool, "POST", path, body, headers, timeoutMs, stop),
  };
}

/** Probes once and records the result on the backend. */
async function probeOnce(b: Backend, timeoutMs: number, now: () => number = Date.now): Promise<void> {
  try {
    const report = await b.adapter.probe(probeIO(b, timeoutMs), b.wanted, b.models);
    b.health = report.health;
    b.detail = report.detail;
    if (report.models) b.setModels(report.models);
    if (report.version !== undefined) b.version = report.version;
  } catch (err) {
    b.health = "down";
    b.detail = describeTransportError(err);
  }
  b.lastProbeAt = now();
  b.trackWarming(b.lastProbeAt);
  b.lastProbeOk = b.health === "up" || b.health === "warming";
  if (b.health === "up") liftByProbe(b.passive, b.lastProbeAt);
}

/**
 * A short name for why a call failed. Only a string field counts: an abort's DOMException carries a
 * numeric `code` (23 for a timeout), which names nothing (test/router/ops/status-hostile.test.ts).
 */
export function describeTransportError(err: unknown): string {
  const e = (typeof err === "object" && err !== null ? err : {}) as { code?: unknown; name?: unknown; cause?: { code?: unknown } };
  for (const v of [e.code, e.cause?.code, e.name]) if (typeof v === "string" && v !== "") return v;
  return "error";
}

/** Runs probe loops for a set of backends until stopped. */
export class Prober {
  private readonly timers = new Map<Backend, NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private timing: ProbeTiming,
    /** Called after each probe has recorded its result. */
    private readonly onProbed: (b: Backend) => void = () => undefined,
  ) {}

  setTiming(t: ProbeTiming): void {
    this.timing = t;
  }

  start(b: Backend): void {
    if (this.timers.has(b) || this.stopped) return;
    const loop = (intervalMs: number): void => {
      void probeOnce(b, this.timing.timeoutMs).finally(() => {
        if (this.stopped || b.retired || !this.timers.has(b)) return;
        this.onProbed(b);
        const next = nextInterval(b.health, intervalMs, this.timing, b.detail === "ECONNREFUSED");
        const t = setTimeout(() => loop(next), next);
        t.unref();
        this.timers.set(b, t);
      });
    };
    this.timers.set(
      b,
      setTimeout(() => loop(this.timing.intervalMs), 0),
    );
  }

  stop(b: Backend): void {
    const t = this.timers.get(b);
    if (t) clearTimeout(t);
    this.timers.delete(b);
  }

  stopAll(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
