// One attempt at one target: wait for a slot in its backend, call it under this attempt's share of
// the first-byte deadline, stopped when the client leaves (except while it is loading a model), then
// either commit to the answer (commit.ts) or judge it so the failover loop may try the next target.
// What the attempt learns about the backend it reports to the passive tracker here, and only here.
import type { IncomingHttpHeaders } from "node:http";
import type { Backend } from "../backends/registry.js";
import { isResident, type Warmth } from "../backends/warmth.js";
import { answerTooLarge, backendFull, backendMalformed, backendUnreachable, firstByteTimeout, idleTimeout, type RouterError } from "../errors.js";
import type { UpstreamPlan } from "../faces/types.js";
import { beginTrial, endTrial, recordKeyRejected, recordOutcome, type Outcome } from "../health/passive.js";
import { describeTransportError } from "../health/probe.js";
import { onAbort } from "../cancel.js";
import type { ExchangeResult } from "../telemetry/access.js";
import type { Clock, Routed, Services } from "./call.js";
import { batchFor } from "../routing/candidates.js";
import { prefillReport, Tail } from "../routing/prefill.js";
import { classifyStatus } from "./classify.js";
import { relay, relayWhole } from "./commit.js";
import { UpstreamCall, type WholeBody } from "./upstream.js";
import { AnswerTooLarge, IdleTimeout, type Decision } from "./upstream-outcome.js";

export type Attempt =
  | { kind: "committed"; result: ExchangeResult }
  | { kind: "next"; error: RouterError }
  | { kind: "final"; error: RouterError }
  /** The backend's queue is full or timed out: nothing was sent, so it costs no retry. */
  | { kind: "busy"; error: RouterError }
  /** Stopped (the client left, or the router stopped it); `sent` when the call had gone out. */
  | { kind: "gone"; sent: boolean };

/** Where, what, and how long the attempt may wait for a first byte. */
export interface AttemptSpec {
  b: Backend;
  model: string;
  /** The target's warmth when it was ranked ("unknown": no judgement of a cold load). */
  warmth: Warmth;
  plan: UpstreamPlan;
  firstByteMs: number;
  /** How many backends this request has been sent to, this one included, if it goes out. */
  attemptNo: number;
  /** The conversation this request belongs to, for session affinity (routing/affinity-key.ts). */
  affinityKey: string | undefined;
}

/** One attempt's context: the request, the router's services and clock, and the target. */
interface Turn extends AttemptSpec {
  r: Routed;
  s: Services;
  clock: Clock;
  /** performance.now() when the slot was taken. */
  heldFrom: number;
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

/** What a request says about its backend, to the passive tracker; `reason` labels a failure in the metrics. */
function report(t: Turn, outcome: Outcome, reason = "", retryAfter?: number): void {
  const { b, s, clock } = t;
  if (outcome === "failure" || outcome === "refused") s.metrics.upstreamFailures.inc({ backend: b.name, reason });
  if (recordOutcome(b.passive, outcome, clock.now(), t.r.config.ejection, clock.random(), retryAfter)) {
    b.ejections++;
    s.metrics.ejections.inc({ backend: b.name });
  }
}

export async function attempt(r: Routed, s: Services, clock: Clock, spec: AttemptSpec): Promise<Attempt> {
  const { b, model } = spec;
  const slot = await b.slots.acquire(r.cancel, batchFor(b, model, r.config));
  const t: Turn = { ...spec, r, s, clock, heldFrom: performance.now() };
  if (slot === "aborted") return { kind: "gone", sent: false };
  if (slot === "full" || slot === "timeout") {
    report(t, "busy");
    return { kind: "busy", error: backendFull(b.name, slot) };
  }
  if (spec.attemptNo > 1) s.metrics.retries.inc({ alias: r.alias.name });
  // Judged now, not when ranked: the request may have waited in the queue while models came and went.
  const coldLoad = spec.warmth !== "unknown" && !isResident(b, model, r.config);
  // The request goes out now: on an engine that loads on demand, its model becomes resident.
  if (!b.adapter.servedMeansLoaded) b.residency.record(model, clock.now());
  const trial = beginTrial(b.passive, clock.now());
  try {
    return await call(t, coldLoad);
  } finally {
    slot();
    if (trial) endTrial(b.passive);
  }
}

async function call(t: Turn, coldLoad: boolean): Promise<Attempt> {
  const { r, b, plan, firstByteMs } = t;
  const ac = new AttemptCancel();
  // Ollama aborts a model load when the request that started it goes away, even while other clients
  // wait for that model (test/router/reliability/faults.test.ts, "an Ollama cold load while more requests
  // queue"): a request that is loading a model is stopped only once the load is done (its first
  // byte), or at a deadline (first byte, total time, end of a drain).
  let holdForLoad = coldLoad;
  const onClientGone = (): void => {
    if (!holdForLoad || r.cancel.stop) ac.abort();
  };
  const stopListening = onAbort(r.cancel, onClientGone);
  const timer = setTimeout(timeOut, firstByteMs, ac);
  const headers: IncomingHttpHeaders = { "content-type": "application/json", "x-request-id": r.id };
  // The client's credentials never reach a backend; a backend may have its own key.
  if (b.config.apiKey) headers.authorization = `Bearer ${b.config.apiKey}`;
  try {
    const whole: WholeBody | undefined = plan.whole
      ? {
          idleMs: r.config.timeouts.idleMs,
          maxBytes: r.config.limits.maxAnswerBytes,
          // The backend started answering: the first-byte deadline and the load hold are over.
          onFirstByte: () => {
            clearTimeout(timer);
            holdForLoad = false;
            if (r.cancel.aborted) ac.abort();
          },
        }
      : undefined;
    const { call, decision } = UpstreamCall.start(b.pool, { method: plan.method, path: plan.path, headers, body: plan.body }, whole);
    ac.call = call;
    let d: Decision;
    try {
      d = await decision;
    } catch (err) {
      if (r.cancel.aborted) return { kind: "gone", sent: true };
      // An answer too large to hold would be as large from another backend: refused, not retried.
      if (err instanceof AnswerTooLarge) {
        report(t, "failure", "answer-too-large");
        return { kind: "final", error: answerTooLarge(b.name, err.maxBytes) };
      }
      // Headers but no content (a stall or reset) is still before the first byte: another backend may answer.
      const reason = ac.timedOut ? "first-byte-timeout" : err instanceof IdleTimeout ? "idle-timeout" : call.headersSeen ? "reset-after-headers" : "transport";
      // Nothing listening: the engine is not running (a crash, a restart), which a probe can tell apart from misbehaving.
      const refused = reason === "transport" && describeTransportError(err) === "ECONNREFUSED";
      report(t, refused ? "refused" : "failure", reason);
      return { kind: "next", error: transportError(err, ac.timedOut, b.name) };
    }
    clearTimeout(timer);
    if (r.cancel.aborted) {
      call.abort();
      return { kind: "gone", sent: true };
    }
    if (!d.ok) {
      const v = classifyStatus(b.name, d.status, d.text, d.headers, t.clock.now());
      if (v.record === "key-rejected") recordKeyRejected(b, d.status);
      else if (v.record !== undefined) report(t, v.record, `status-${d.status}`, v.retryAfterMs);
      return { kind: v.then === "final" ? "final" : "next", error: v.error };
    }
    holdForLoad = false;
    if (plan.whole) {
      // Converted before anything is sent: a body the client cannot be given is this backend's failure.
      const converted = plan.whole.convert(d.first);
      if (!converted.ok) {
        report(t, "failure", "malformed-answer");
        return { kind: "next", error: backendMalformed(b.name, converted.detail) };
      }
      return await commit(t, call, d, converted.body);
    }
    return await commit(t, call, d, undefined);
  } finally {
    clearTimeout(timer);
    stopListening();
  }
}

/** The backend answered first: report it, then relay (a break in the relay is reported too). */
async function commit(t: Turn, call: UpstreamCall, d: Extract<Decision, { ok: true }>, whole: string | undefined): Promise<Attempt> {
  const { r, s, b } = t;
  const ttfbMs = performance.now() - r.startedAt;
  s.metrics.observeTtfb(r.alias.name, b.name, ttfbMs / 1000);
  report(t, "success");
  const c = { b, model: t.model, attempts: t.attemptNo, ttfbMs };
  const affinity = r.config.routing.affinity;
  if (t.affinityKey !== undefined) s.affinity.record(t.affinityKey, b.name, t.model, t.clock.now(), affinity.maxEntries);
  if (whole !== undefined) return { kind: "committed", result: relayWhole(r, c, d, whole) };
  // The answer's last bytes say how fast the engine read the prompt (routing/prefill.ts); only
  // where affinity may have to weigh it: a request of a conversation with targets to choose from.
  const tail = t.affinityKey !== undefined ? new Tail() : undefined;
  const relayed = await relay(r, c, call, d, t.plan.translator, tail);
  if (relayed.failure) report(t, "failure", relayed.failure);
  else if (tail) s.affinity.learn(b.name, prefillReport(tail.text()), t.plan.body.length, performance.now() - t.heldFrom);
  return { kind: "committed", result: relayed.result };
}
