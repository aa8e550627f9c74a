// Committing to a backend's answer: its head, then its body — whole and already converted, or its
// first bytes and the rest as they come. Everything goes out through the request's Reply; what the
// relay says about the backend is handed back to the attempt, which reports it (attempt.ts).
import type { Backend } from "../backends/registry.js";
import { midStreamFailure } from "../errors.js";
import type { StreamTranslator } from "../faces/types.js";
import type { ExchangeResult } from "../telemetry/access.js";
import type { UsageMeter } from "../telemetry/usage.js";
import type { Routed } from "./call.js";
import { LineGuard, LineTooLong } from "./line-guard.js";
import type { UpstreamCall } from "./upstream.js";
import type { Decision, RelayEnd } from "./upstream-outcome.js";

type Answer = Extract<Decision, { ok: true }>;

/** What the client was given for this backend's answer: attempts so far and the time to its first byte. */
export interface Commit {
  b: Backend;
  model: string;
  attempts: number;
  ttfbMs: number;
  /** Reads the engine's usage from the backend's bytes as they pass (telemetry/usage.ts). */
  meter?: UsageMeter;
}

/** A committed answer, and the failure reason when the backend broke it off (the attempt reports it). */
export interface Relayed {
  result: ExchangeResult;
  failure?: "line-too-long" | "mid-stream";
}

/** Commits to a whole answer already converted to the client's dialect. */
export function relayWhole(r: Routed, c: Commit, { status, headers }: Answer, body: string): ExchangeResult {
  const served = { backend: c.b.name, model: c.model };
  r.reply.head(status, headers, served, { stream: false, translated: true });
  r.reply.write(body);
  r.reply.end();
  return { status, outcome: "ok", ...served, attempts: c.attempts, ttfbMs: c.ttfbMs };
}

/** Commits to the backend's answer: its head, its first bytes, then the rest as it comes. */
export async function relay(
  r: Routed,
  c: Commit,
  call: UpstreamCall,
  { status, headers, first }: Answer,
  translator: StreamTranslator | undefined,
): Promise<Relayed> {
  const { reply } = r;
  const stream = r.request.stream;
  const served = { backend: c.b.name, model: c.model };
  const ok: ExchangeResult = { status, outcome: "ok", ...served, attempts: c.attempts, ttfbMs: c.ttfbMs };
  reply.head(status, headers, served, { stream, translated: translator !== undefined });
  if (first === null) {
    if (translator) reply.write(translator.end());
    reply.end();
    return { result: ok };
  }
  // A transform holds at most one line: limits.maxLineBytes caps it (line-guard.ts).
  const guard = translator ? new LineGuard(r.config.limits.maxLineBytes) : undefined;
  const end = await firstThenRest(r, call, first, translator, guard, c.meter);
  if (end.ok) {
    reply.end();
    return { result: ok };
  }
  if (r.cancel.aborted) {
    const stop = r.cancel.stop;
    if (!stop) return { result: { ...ok, status: 499, outcome: "client-gone" } };
    // The router's own deadline, not the backend's failure: nothing counts against the backend.
    reply.cut(stop.error, stream);
    return { result: { ...ok, outcome: stop.outcome, error: stop.error.message } };
  }
  call.abort();
  const err = midStreamFailure(c.b.name, end.error.message || end.error.name);
  reply.cut(err, stream);
  return { result: { ...ok, outcome: "in-band-error", error: err.message }, failure: end.error instanceof LineTooLong ? "line-too-long" : "mid-stream" };
}

function firstThenRest(
  r: Routed,
  call: UpstreamCall,
  first: Buffer,
  translator: StreamTranslator | undefined,
  guard: LineGuard | undefined,
  meter: UsageMeter | undefined,
): Promise<RelayEnd> {
  try {
    guard?.pass(first);
  } catch (err) {
    return Promise.resolve({ ok: false, error: err as Error });
  }
  meter?.push(first, performance.now());
  r.reply.write(translator ? translator.push(first) : first);
  return call.relay(r.reply, translator, r.config.timeouts.idleMs, guard, meter);
}
