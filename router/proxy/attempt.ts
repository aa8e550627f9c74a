// One attempt: a call to one backend under its share of the first-byte deadline, stopped when the
// client leaves (except while it is loading a model), then either committed to (the answer is
// relayed to the client) or judged so the failover loop may try the next target.
import type { IncomingHttpHeaders } from "node:http";
import type { Backend } from "../backends/registry.js";
import { answerTooLarge, backendMalformed, backendUnreachable, firstByteTimeout, idleTimeout, midStreamFailure, type RouterError } from "../errors.js";
import type { StreamTranslator, UpstreamPlan } from "../faces/types.js";
import { recordKeyRejected } from "../health/passive.js";
import { describeTransportError } from "../health/probe.js";
import { onAbort, stopOf } from "../cancel.js";
import { classifyStatus } from "./classify.js";
import type { ExchangeResult } from "../telemetry/access.js";
import { track, type Exchange } from "./exchange.js";
import { UpstreamCall, type WholeBody } from "./upstream.js";
import { LineGuard, LineTooLong } from "./line-guard.js";
import { AnswerTooLarge, IdleTimeout, type Decision, type RelayEnd } from "./upstream-outcome.js";

export type Attempt =
  | { kind: "committed"; result: ExchangeResult }
  | { kind: "next"; error: RouterError }
  | { kind: "final"; error: RouterError; backend: string; model: string }
  | { kind: "gone" };

/** What an attempt needs beyond the exchange: where, what, and how long it may wait for a first byte. */
export interface AttemptSpec {
  b: Backend;
  model: string;
  plan: UpstreamPlan;
  firstByteMs: number;
  /** How many backends this request has been sent to, this one included. */
  attemptNo: number;
  /** The request makes its backend load the model (see the hold in attempt()). */
  coldLoad: boolean;
}

function transportError(err: unknown, timedOut: boolean, backend: string): RouterError {
  if (err instanceof IdleTimeout) return idleTimeout(backend, err.message);
  if (timedOut) return firstByteTimeout(backend);
  return backendUnreachable(backend, describeTransportError(err));
}

/**
 * One attempt's cancellation: the client left, or the first-byte deadline passed (then `timedOut`).
 * It stops the backend call directly, so no listener is registered per attempt.
 */
class AttemptCancel {
  aborted = false;
  timedOut = false;
  call: UpstreamCall | undefined;
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.call?.abort();
  }
}

function timeOut(c: AttemptCancel): void {
  c.timedOut = true;
  c.abort();
}

export async function attempt(x: Exchange, { b, model, plan, firstByteMs, attemptNo, coldLoad }: AttemptSpec): Promise<Attempt> {
  const ac = new AttemptCancel();
  // Ollama aborts a model load when the request that started it goes away, even while other clients
  // wait for that model (test/router/reliability/faults.test.ts, "an Ollama cold load while more requests
  // queue"): a request that is loading a model is stopped only once the load is done (its first
  // byte), or at a deadline (first byte, total time, end of a drain).
  let holdForLoad = coldLoad;
  const onClientGone = (): void => {
    if (!holdForLoad || stopOf(x.signal)) ac.abort();
  };
  const stopListening = onAbort(x.signal, onClientGone);
  const timer = setTimeout(timeOut, firstByteMs, ac);
  const headers: IncomingHttpHeaders = { "content-type": "application/json", "x-request-id": x.id };
  // The client's credentials never reach a backend; a backend may have its own key.
  if (b.config.apiKey) headers.authorization = `Bearer ${b.config.apiKey}`;
  try {
    const whole: WholeBody | undefined = plan.whole
      ? {
          idleMs: x.config.timeouts.idleMs,
          maxBytes: x.config.limits.maxAnswerBytes,
          // The backend started answering: the first-byte deadline and the load hold are over.
          onFirstByte: () => {
            clearTimeout(timer);
            holdForLoad = false;
            if (x.signal.aborted) ac.abort();
          },
        }
      : undefined;
    const { call, decision } = UpstreamCall.start(b.pool, { method: plan.method, path: plan.path, headers, body: plan.body }, whole);
    ac.call = call;
    let d: Decision;
    try {
      d = await decision;
    } catch (err) {
      if (x.signal.aborted) return { kind: "gone" };
      // An answer too large to hold would be as large from another backend: refused, not retried.
      if (err instanceof AnswerTooLarge) {
        track(x, b, "failure", "answer-too-large");
        return { kind: "final", error: answerTooLarge(b.name, err.maxBytes), backend: b.name, model };
      }
      // Headers but no content (a stall or reset) is still before the first byte: another backend may answer.
      const reason = ac.timedOut ? "first-byte-timeout" : err instanceof IdleTimeout ? "idle-timeout" : call.headersSeen ? "reset-after-headers" : "transport";
      // Nothing listening: the engine is not running (a crash, a restart), which a probe can tell apart from misbehaving.
      const refused = reason === "transport" && describeTransportError(err) === "ECONNREFUSED";
      track(x, b, refused ? "refused" : "failure", reason);
      return { kind: "next", error: transportError(err, ac.timedOut, b.name) };
    }
    clearTimeout(timer);
    if (x.signal.aborted) {
      call.abort();
      return { kind: "gone" };
    }
    if (!d.ok) {
      const v = classifyStatus(b.name, d.status, d.text, d.headers, x.now());
      if (v.record === "key-rejected") recordKeyRejected(b, d.status);
      else if (v.record !== undefined) track(x, b, v.record, `status-${d.status}`, v.retryAfterMs);
      return v.then === "final" ? { kind: "final", error: v.error, backend: b.name, model } : { kind: "next", error: v.error };
    }
    holdForLoad = false;
    if (plan.whole) {
      // Converted before anything is sent: a body the client cannot be given is this backend's failure.
      const converted = plan.whole.convert(d.first);
      if (!converted.ok) {
        track(x, b, "failure", "malformed-answer");
        return { kind: "next", error: backendMalformed(b.name, converted.detail) };
      }
      return { kind: "committed", result: relayWhole(x, b, model, d, converted.body, attemptNo) };
    }
    return { kind: "committed", result: await relay(x, b, model, call, d, plan.translator, attemptNo) };
  } finally {
    clearTimeout(timer);
    stopListening();
  }
}

/** Commits to a whole answer already converted to the client's dialect. */
function relayWhole(x: Exchange, b: Backend, model: string, { status, headers }: Extract<Decision, { ok: true }>, body: string, attempts: number): ExchangeResult {
  const ttfbMs = committed(x, b);
  x.reply.head(status, headers, { backend: b.name, model }, { stream: false, translated: true });
  x.reply.write(body);
  x.reply.end();
  return { status, outcome: "ok", backend: b.name, model, attempts, ttfbMs };
}

function committed(x: Exchange, b: Backend): number {
  const ttfbMs = performance.now() - x.startedAt;
  x.metrics.observeTtfb(x.alias, b.name, ttfbMs / 1000);
  track(x, b, "success");
  return ttfbMs;
}

/** Commits to the backend's answer: its head, its first bytes, then the rest as it comes. */
async function relay(
  x: Exchange,
  b: Backend,
  model: string,
  call: UpstreamCall,
  { status, headers, first }: Extract<Decision, { ok: true }>,
  translator: StreamTranslator | undefined,
  attempts: number,
): Promise<ExchangeResult> {
  const { reply } = x;
  const ttfbMs = committed(x, b);
  const backend = b.name;
  reply.head(status, headers, { backend, model }, { stream: x.req.stream, translated: translator !== undefined });
  if (first === null) {
    if (translator) reply.write(translator.end());
    reply.end();
    return { status, outcome: "ok", backend, model, attempts, ttfbMs };
  }
  // A transform holds at most one line: limits.maxLineBytes caps it (line-guard.ts).
  const guard = translator ? new LineGuard(x.config.limits.maxLineBytes) : undefined;
  const end = await firstThenRest(x, call, first, translator, guard);
  if (end.ok) {
    reply.end();
    return { status, outcome: "ok", backend, model, attempts, ttfbMs };
  }
  if (x.signal.aborted) {
    const stop = stopOf(x.signal);
    if (!stop) return { status: 499, outcome: "client-gone", backend, model, attempts, ttfbMs };
    // The router's own deadline, not the backend's failure: nothing counts against the backend.
    reply.cut(stop.error, x.req.stream);
    return { status, outcome: stop.outcome, backend, model, attempts, ttfbMs, error: stop.error.message };
  }
  call.abort();
  track(x, b, "failure", end.error instanceof LineTooLong ? "line-too-long" : "mid-stream");
  const err = midStreamFailure(b.name, end.error.message || end.error.name);
  reply.cut(err, x.req.stream);
  return { status, outcome: "in-band-error", backend, model, attempts, ttfbMs, error: err.message };
}

function firstThenRest(x: Exchange, call: UpstreamCall, first: Buffer, translator: StreamTranslator | undefined, guard: LineGuard | undefined): Promise<RelayEnd> {
  try {
    guard?.pass(first);
  } catch (err) {
    return Promise.resolve({ ok: false, error: err as Error });
  }
  x.reply.write(translator ? translator.push(first) : first);
  return call.relay(x.reply, translator, x.config.timeouts.idleMs, guard);
}
