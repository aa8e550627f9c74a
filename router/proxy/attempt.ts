// One attempt at one target: wait for a slot in its backend, let the face plan the call (its tokenizer
// calls go to the backend inside that slot and stop when the client leaves), call it under this
// attempt's share of the first-byte deadline, stopped when the client leaves (except while it is
// loading a model), then either commit to the answer (commit.ts) or judge it so the failover loop may
// try the next target. What the attempt learns about the backend it reports to the passive tracker
// here, and only here.
import type { IncomingHttpHeaders } from "node:http";
import type { Backend } from "../backends/registry.js";
import { isResident, type Warmth } from "../backends/warmth.js";
import { answerTooLarge, backendFull, backendMalformed, type RouterError } from "../errors.js";
import { isUpstreamPlan, type Rendered, type UpstreamPlan } from "../faces/types.js";
import { beginTrial, endTrial, recordKeyRejected, recordOutcome, type Outcome } from "../health/passive.js";
import { describeTransportError, probeIO } from "../health/probe.js";
import { onAbort } from "../cancel.js";
import { errorResult, type ExchangeResult } from "../telemetry/access.js";
import { UsageMeter } from "../telemetry/usage.js";
import { recordAnswer, type Metered } from "./metered.js";
import type { Clock, Routed, Services } from "./call.js";
import { batchFor } from "../routing/candidates.js";
import { slotCache } from "../routing/residents.js";
import { classifyStatus } from "./classify.js";
import { relay, relayWhole } from "./commit.js";
import { UpstreamCall, type WholeBody } from "./upstream.js";
import { AttemptCancel, timeOut, transportError } from "./attempt-cancel.js";
import { AnswerTooLarge, IdleTimeout, type Decision } from "./upstream-outcome.js";

export type Attempt =
  | { kind: "committed"; result: ExchangeResult }
  | { kind: "next"; error: RouterError }
  | { kind: "final"; error: RouterError }
  /** The backend's queue is full or timed out: nothing was sent, so it costs no retry. */
  | { kind: "busy"; error: RouterError }
  /** Stopped (the client left, or the router stopped it); `sent` when the call had gone out. */
  | { kind: "gone"; sent: boolean }
  /** The face answered from what the backend told it (count_tokens from its tokenizer). */
  | { kind: "local"; answer: Rendered }
  /** The face cannot send the request to this target (its context is too small): nothing was sent. */
  | { kind: "skip"; error: RouterError };

/** Where, what, and how long the attempt may wait for a first byte. */
export interface AttemptSpec {
  b: Backend;
  /** The target's position in the alias's configured order. */
  index: number;
  model: string;
  /** The target's warmth when it was ranked ("unknown": no judgement of a cold load). */
  warmth: Warmth;
  firstByteMs: number;
  /** How many backends this request has been sent to, this one included, if it goes out. */
  attemptNo: number;
  /** The conversation this request belongs to, for session affinity (routing/affinity-key.ts). */
  affinityKey: string | undefined;
}

/**
 * The floor of a face's side call to a backend (a tokenizer for count_tokens or a context check): it
 * may take longer than a health probe, whose timeout it otherwise shares.
 */
const SIDE_CALL_MIN_TIMEOUT_MS = 5_000;

/** One attempt's context: the request, the router's services and clock, the target and its plan. */
interface Turn extends AttemptSpec {
  plan: UpstreamPlan;
  r: Routed;
  s: Services;
  clock: Clock;
  report: PassiveReport;
  /** performance.now() when the slot was taken. */
  heldFrom: number;
}

/**
 * What the attempt tells the passive tracker about its backend, and the metrics that go with it
 * (upstream failures by reason, ejections); `reason` labels a failure in the metrics.
 */
class PassiveReport {
  constructor(
    private readonly b: Backend,
    private readonly metrics: Services["metrics"],
    private readonly clock: Clock,
    private readonly ejection: Routed["config"]["ejection"],
  ) {}

  say(outcome: Outcome, reason = "", retryAfter?: number): void {
    const { b, metrics, clock } = this;
    if (outcome === "failure" || outcome === "refused") metrics.upstreamFailures.inc({ backend: b.name, reason });
    if (recordOutcome(b.passive, outcome, clock.now(), this.ejection, clock.random(), retryAfter)) {
      b.ejections++;
      metrics.ejections.inc({ backend: b.name });
    }
  }
}

export async function attempt(r: Routed, s: Services, clock: Clock, spec: AttemptSpec): Promise<Attempt> {
  const { b, model } = spec;
  const report = new PassiveReport(b, s.metrics, clock, r.config.ejection);
  // Is a model resident on this backend now (backends/warmth.ts): asked by the queue's batching and by the cold-load check below.
  const resident = (m: string): boolean => isResident(b, m, r.config);
  const slot = await b.slots.acquire(r.cancel, batchFor(b, model, r.config, resident));
  const heldFrom = performance.now();
  if (slot === "aborted") return { kind: "gone", sent: false };
  if (slot === "full" || slot === "timeout") {
    report.say("busy");
    return { kind: "busy", error: backendFull(b.name, slot) };
  }
  let trial = false;
  let turnEnded: ((served: boolean) => void) | undefined;
  let served = false;
  try {
    // The face rewrites the request for this target (model name, path, dialect; or answers it, or skips
    // it); its tokenizer calls use this slot and stop when the client leaves (test/router/faces/side-calls.test.ts).
    const contextLength = b.contextLength(model, r.alias.config.targets[spec.index]?.contextLength);
    const target = { backend: b.name, engine: b.config.engine, model, contextLength, anthropic: b.config.anthropic, version: b.version };
    const plan = await r.face.plan(r.request, target, probeIO(b, Math.max(r.config.health.timeoutMs, SIDE_CALL_MIN_TIMEOUT_MS), r.cancel));
    if (r.cancel.aborted) return { kind: "gone", sent: false };
    if (!isUpstreamPlan(plan)) return "local" in plan ? { kind: "local", answer: plan.local } : { kind: "skip", error: plan.skip };
    r.reply.outputClamp(plan.clamp);
    if (spec.attemptNo > 1) s.metrics.retries.inc({ alias: r.alias.name });
    // Judged now, not when ranked: the request may have waited in the queue while models came and went.
    const coldLoad = spec.warmth !== "unknown" && !resident(model);
    // The request goes out now: on an engine that loads on demand, its model becomes resident.
    if (!b.adapter.servedMeansLoaded) b.residency.record(model, clock.now());
    trial = beginTrial(b.passive, clock.now());
    // A conversation's turn goes out: its cache is here now, and may push another's out (routing/residents.ts).
    if (spec.affinityKey !== undefined)
      turnEnded = s.affinity.sent(spec.affinityKey, b.name, model, clock.now(), r.config.routing.affinity.maxEntries, slotCache(b));
    const a = await call({ ...spec, plan, r, s, clock, report, heldFrom }, coldLoad);
    served = a.kind === "committed";
    if (coldLoad && !served) s.metrics.models.waitedInVain(r.alias.name, b.name, model);
    if (a.kind === "committed" || a.kind === "next" || a.kind === "final") s.metrics.recent.attempt(b.name, backendFailed(a));
    return a;
  } finally {
    slot();
    turnEnded?.(served);
    if (trial) endTrial(b.passive);
  }
}

/** The call and its commit, one step: the backend's answer judged, and relayed when it is the one. */
async function call(t: Turn, coldLoad: boolean): Promise<Attempt> {
  const { r, s, b, plan, firstByteMs, report } = t;
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
  const when = { sentAt: performance.now(), firstByteAt: 0, coldLoad };
  // The client's credentials never reach a backend; a backend may have its own key.
  if (b.config.apiKey) headers.authorization = `Bearer ${b.config.apiKey}`;
  try {
    const whole: WholeBody | undefined = plan.whole
      ? {
          idleMs: r.config.timeouts.idleMs,
          maxBytes: r.config.limits.maxAnswerBytes,
          // The backend started answering: the first-byte deadline and the load hold are over.
          onFirstByte: () => {
            when.firstByteAt = performance.now();
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
        report.say("failure", "answer-too-large");
        return { kind: "final", error: answerTooLarge(b.name, err.maxBytes) };
      }
      // Headers but no content (a stall or reset) is still before the first byte: another backend may answer.
      const reason = ac.timedOut ? "first-byte-timeout" : err instanceof IdleTimeout ? "idle-timeout" : call.headersSeen ? "reset-after-headers" : "transport";
      // Nothing listening: the engine is not running (a crash, a restart), which a probe can tell apart from misbehaving.
      const refused = reason === "transport" && describeTransportError(err) === "ECONNREFUSED";
      report.say(refused ? "refused" : "failure", reason);
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
      else if (v.record !== undefined) report.say(v.record, `status-${d.status}`, v.retryAfterMs);
      return { kind: v.then === "final" ? "final" : "next", error: v.error };
    }
    holdForLoad = false;
    let converted: string | undefined;
    if (plan.whole) {
      // Converted before anything is sent: a body the client cannot be given is this backend's failure.
      const answer = plan.whole.convert(d.first);
      if (!answer.ok) {
        report.say("failure", "malformed-answer");
        return { kind: "next", error: backendMalformed(b.name, answer.detail) };
      }
      converted = answer.body;
    }
    // The backend answered first: report it, then commit to its answer (a break in the relay is reported too).
    const now = performance.now();
    const ttfbMs = now - r.startedAt;
    s.metrics.observeTtfb(r.alias.name, b.name, ttfbMs / 1000);
    report.say("success");
    // An output limit the face lowered shows in the access line (x-router-max-tokens tells the client).
    const clamp = plan.clamp ? { clamp: plan.clamp } : {};
    // What the answer cost, read from the backend's bytes as they pass (metered.ts).
    const meter = new UsageMeter(plan.path.startsWith("/api/") ? "ollama" : b.config.engine === "llamacpp" ? "llamacpp" : "openai");
    const m: Metered = { alias: r.alias.name, backend: b.name, model: t.model, startedAt: r.startedAt, ...when, firstByteAt: when.firstByteAt || now };
    const c = { b, model: t.model, attempts: t.attemptNo, ttfbMs, meter };
    if (converted !== undefined) {
      meter.whole(d.first, now);
      const result = { ...relayWhole(r, c, d, converted), ...clamp };
      recordAnswer(s.metrics, m, meter, d.headers, result, true);
      return { kind: "committed", result };
    }
    const relayed = await relay(r, c, call, d, plan.translator);
    recordAnswer(s.metrics, m, meter, d.headers, relayed.result, false);
    if (relayed.failure) report.say("failure", relayed.failure);
    // How fast the engine read the prompt, as its answer reported it (telemetry/usage.ts): only where
    // affinity may have to weigh it, a request of a conversation with targets to choose from.
    else if (t.affinityKey !== undefined) s.affinity.learn(b.name, meter.usage, plan.body.length, performance.now() - t.heldFrom);
    return { kind: "committed", result: { ...relayed.result, ...clamp } };
  } finally {
    clearTimeout(timer);
    stopListening();
  }
}

/** Whether the backend failed the attempt (for /status): cut an answer it started, or failed to give one that was not the client's mistake. */
function backendFailed(a: Extract<Attempt, { kind: "committed" | "next" | "final" }>): boolean {
  return a.kind === "committed" ? a.result.outcome === "in-band-error" : errorResult(a.error, 0).outcome === "upstream-error";
}
