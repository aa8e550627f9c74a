// One client request through the alias's targets: pick, wait for a slot, call the backend, and either
// commit to its answer (first byte) or fail over — at most `retries` more backends, all within one
// first-byte deadline. After the first byte a failure ends the response with an in-band error.
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { AliasConfig, RouterConfig } from "../config/schema.js";
import { isUpstreamPlan, type Face, type FaceRequest, type Rendered, type StreamTranslator, type UpstreamPlan } from "../faces/types.js";
import { admission } from "../backends/admission.js";
import type { Backend, BackendRegistry } from "../backends/registry.js";
import { isResident } from "../backends/warmth.js";
import {
  aliasFirstByteTimeout,
  backendBusy,
  backendCredentials,
  backendError,
  backendFull,
  backendRejected,
  backendUnreachable,
  firstByteTimeout,
  idleTimeout,
  midStreamFailure,
  noBackend,
  type RouterError,
} from "../errors.js";
import { recordKeyRejected, recordOutcome, retryAfterMs, type Outcome } from "../health/passive.js";
import { describeTransportError, probeIO } from "../health/probe.js";
import { onAbort, stopOf, type CancelSignal } from "../http/cancel.js";
import type { RouterMetrics } from "../ops/metrics.js";
import { batchFor, candidateViews } from "./candidates.js";
import { orderTargets, type CandidateView } from "./pick.js";
import { IdleTimeout, UpstreamCall, upstreamErrorSummary, upstreamMessage, type Decision, type WholeBody } from "./upstream.js";

export interface Exchange {
  id: string;
  face: Face;
  req: FaceRequest;
  alias: string;
  aliasConfig: AliasConfig;
  config: RouterConfig;
  registry: BackendRegistry;
  res: ServerResponse;
  /** Aborted when the client goes away, or by the router (total time cap, end of a drain) with its reason. */
  signal: CancelSignal;
  metrics: RouterMetrics;
  /** performance.now() when the request was accepted. */
  startedAt: number;
  now: () => number;
  random: () => number;
}

export type ExchangeOutcome = "ok" | "client-error" | "upstream-error" | "in-band-error" | "client-gone" | "total-timeout" | "shutdown";

export interface ExchangeResult {
  status: number;
  outcome: ExchangeOutcome;
  backend?: string;
  model?: string;
  attempts: number;
  ttfbMs?: number;
  error?: string;
}

/** Headers never copied from a backend (hop-by-hop, or recomputed here). */
const COPY_HEADERS = ["content-type", "content-length", "retry-after"] as const;

function transportError(err: unknown, timedOut: boolean, backend: string): RouterError {
  if (err instanceof IdleTimeout) return idleTimeout(backend, err.message);
  if (timedOut) return firstByteTimeout(backend);
  return backendUnreachable(backend, describeTransportError(err));
}

type Attempt =
  | { kind: "committed"; result: ExchangeResult }
  | { kind: "next"; error: RouterError }
  | { kind: "final"; error: RouterError; backend: string; model: string }
  | { kind: "gone" };

class KeepAlive {
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly x: Exchange,
    everyMs: number,
  ) {
    // While a stream waits for its first byte (a cold load can take minutes), comments keep client idle timers quiet.
    this.timer = setInterval(() => {
      const { res, face } = x;
      if (res.destroyed) return;
      if (!res.headersSent) res.writeHead(200, streamHeaders(x, undefined, undefined));
      res.write(face.keepAlive(x.req));
    }, everyMs);
  }
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

function streamHeaders(x: Exchange, backend: string | undefined, model: string | undefined): Record<string, string> {
  const h: Record<string, string> = {
    "content-type": x.face.streamContentType,
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
    "x-request-id": x.id,
  };
  if (backend !== undefined) h["x-router-backend"] = backend;
  if (model !== undefined) h["x-router-model"] = model;
  return h;
}

export async function forward(x: Exchange): Promise<ExchangeResult> {
  const { config, aliasConfig } = x;
  const firstByteMs = aliasConfig.firstByteTimeoutMs ?? config.timeouts.firstByteMs;
  const deadline = x.now() + firstByteMs;
  const views = candidateViews(aliasConfig, x.registry, x.now(), config);
  const order = orderTargets(views, config.routing.policy);
  const keepAlive = x.req.stream ? new KeepAlive(x, config.timeouts.keepAliveMs) : undefined;
  let sent = 0;
  let lastError: RouterError = noBackend(x.alias);
  try {
    for (let i = 0; i < order.length; i++) {
      const c = order[i] as CandidateView;
      if (sent > config.retries.max) break;
      if (x.signal.aborted) return stopped(x, sent);
      const remaining = deadline - x.now();
      if (remaining <= 0) {
        lastError = aliasFirstByteTimeout(x.alias, firstByteMs);
        break;
      }
      const b = x.registry.get(c.backend);
      if (!b) continue;
      const target = aliasConfig.targets[c.index];
      const contextLength = b.contextLength(c.model, target?.contextLength);
      const planned = await x.face.plan(
        x.req,
        { backend: b.name, engine: b.config.engine, model: c.model, contextLength, anthropic: b.config.anthropic, version: b.version },
        probeIO(b, Math.max(config.health.timeoutMs, 5_000)),
      );
      if (x.signal.aborted) return stopped(x, sent);
      if (!isUpstreamPlan(planned)) {
        if ("local" in planned) return answerLocally(x, planned.local, b.name, c.model, sent);
        // This target cannot take the request (e.g. its context is too small): the next one may.
        lastError = planned.skip;
        continue;
      }
      const slot = await b.slots.acquire(x.signal, batchFor(b, c.model, config));
      if (slot === "aborted") return stopped(x, sent);
      if (slot === "full" || slot === "timeout") {
        // A full queue spills to the next target without costing a retry: nothing was sent.
        recordOutcome(b.passive, "busy", x.now(), config.ejection, x.random());
        lastError = backendFull(b.name, slot);
        continue;
      }
      if (sent > 0) x.metrics.retries.inc({ alias: x.alias });
      sent++;
      // Judged now, not when ranked: the request may have waited in the queue while models came and went.
      const coldLoad = c.warmth !== "unknown" && !isResident(b, c.model, config);
      // The request goes out now: on an engine that loads on demand, its model becomes resident.
      if (!b.adapter.servedMeansLoaded) b.residency.record(c.model, x.now());
      const trial = admission(b.passive, x.now()) === "trial";
      if (trial) b.passive.trialInFlight = true;
      let a: Attempt;
      try {
        // The deadline is shared fairly by the attempts still possible, so a hung first backend leaves time for the next.
        const left = Math.min(config.retries.max + 2 - sent, order.length - i);
        a = await attempt(x, b, c.model, planned, remaining / Math.max(1, left), sent, keepAlive, coldLoad);
      } finally {
        slot();
        // Whatever the trial's result (recorded above, or none for a client that left), it is over.
        if (trial) b.passive.trialInFlight = false;
      }
      if (a.kind === "committed") return a.result;
      if (a.kind === "gone") return stopped(x, sent);
      if (a.kind === "final") return fail(x, a.error, sent, a.backend, a.model);
      lastError = a.error;
    }
    return fail(x, lastError, sent);
  } finally {
    keepAlive?.stop();
  }
}

function answerLocally(x: Exchange, r: Rendered, backend: string, model: string, attempts: number): ExchangeResult {
  if (!x.res.headersSent) {
    x.res.writeHead(r.status, { ...r.headers, "x-request-id": x.id, "x-router-backend": backend, "x-router-model": model });
    x.res.end(r.body);
  } else {
    x.res.end();
  }
  return { status: r.status, outcome: r.status < 400 ? "ok" : "client-error", backend, model, attempts };
}

/** The request was stopped: the client left (nobody to tell), or the router stopped it (say why). */
function stopped(x: Exchange, attempts: number): ExchangeResult {
  const stop = stopOf(x.signal);
  if (!stop) return { status: 499, outcome: "client-gone", attempts };
  return { ...fail(x, stop.error, attempts), outcome: stop.outcome };
}

/** Answers an error before any content: a proper status if headers are not out yet, in-band otherwise. */
function fail(x: Exchange, err: RouterError, attempts: number, backend?: string, model?: string): ExchangeResult {
  const { res, face } = x;
  if (!res.headersSent) {
    const r = face.renderError(err);
    res.writeHead(r.status, { ...r.headers, "x-request-id": x.id });
    res.end(r.body);
  } else if (!res.destroyed) {
    res.end(face.inBandError(err));
  }
  return {
    status: err.status,
    outcome: err.status < 500 && err.status !== 429 ? "client-error" : "upstream-error",
    attempts,
    error: err.logMessage ?? err.message,
    ...(backend !== undefined ? { backend } : {}),
    ...(model !== undefined ? { model } : {}),
  };
}

function passive(x: Exchange, b: Backend, outcome: Outcome, reason: string, retryAfter?: number): void {
  if (outcome === "failure" || outcome === "refused") x.metrics.upstreamFailures.inc({ backend: b.name, reason });
  if (recordOutcome(b.passive, outcome, x.now(), x.config.ejection, x.random(), retryAfter)) {
    b.ejections++;
    x.metrics.ejections.inc({ backend: b.name });
  }
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

async function attempt(
  x: Exchange,
  b: Backend,
  model: string,
  plan: UpstreamPlan,
  firstByteMs: number,
  attemptNo: number,
  keepAlive: KeepAlive | undefined,
  coldLoad: boolean,
): Promise<Attempt> {
  const ac = new AttemptCancel();
  // Ollama aborts a model load when the request that started it goes away, even while other clients
  // wait for that model (test/reliability/faults.test.ts, "an Ollama cold load while more requests
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
      // Headers but no content (a stall or reset) is still before the first byte: another backend may answer.
      const reason = ac.timedOut ? "first-byte-timeout" : err instanceof IdleTimeout ? "idle-timeout" : call.headersSeen ? "reset-after-headers" : "transport";
      // Nothing listening: the engine is not running (a crash, a restart), which a probe can tell apart from misbehaving.
      const refused = reason === "transport" && describeTransportError(err) === "ECONNREFUSED";
      passive(x, b, refused ? "refused" : "failure", reason);
      return { kind: "next", error: transportError(err, ac.timedOut, b.name) };
    }
    clearTimeout(timer);
    if (x.signal.aborted) {
      call.abort();
      return { kind: "gone" };
    }
    if (!d.ok) return classifyError(x, b, model, d.status, d.text, d.headers);
    holdForLoad = false;
    return { kind: "committed", result: await relay(x, b, model, call, d, plan.translator, attemptNo, keepAlive) };
  } finally {
    clearTimeout(timer);
    stopListening();
  }
}

function classifyError(x: Exchange, b: Backend, model: string, status: number, text: string, headers: IncomingHttpHeaders): Attempt {
  // The client is told what the backend said (its own request, echoed); the log gets a summary.
  const message = upstreamMessage(text, status);
  const summary = upstreamErrorSummary(text, status);
  const retryAfter = retryAfterMs(headers["retry-after"], x.now());
  const retryAfterS = retryAfter !== undefined ? Math.ceil(retryAfter / 1000) : undefined;
  // 429, and Ollama's 503 "server busy" when its queue is full, mean busy: deprioritize, not eject.
  if (status === 429 || (status === 503 && /busy|queue|overload/i.test(message))) {
    passive(x, b, "busy", "busy", retryAfter);
    return { kind: "next", error: backendBusy(b.name, status, message, summary, retryAfterS) };
  }
  if (status === 502 || status === 503 || status === 504) {
    passive(x, b, "failure", `status-${status}`);
    return { kind: "next", error: backendError(b.name, status, message, summary) };
  }
  if (status === 401 || status === 403) {
    // A backend refusing the router's key is a configuration error, not an outage.
    recordKeyRejected(b, status);
    return { kind: "next", error: backendCredentials(b.name) };
  }
  if (status >= 500 || status === 404) {
    // 404: the model is not on that backend (config drift); 500: another backend may cope.
    return { kind: "next", error: backendError(b.name, status, message, summary) };
  }
  // The client's own mistake (400, 413, 422...): another backend would say the same.
  passive(x, b, "success", "");
  return { kind: "final", error: backendRejected(b.name, status, message, summary), backend: b.name, model };
}

async function relay(
  x: Exchange,
  b: Backend,
  model: string,
  call: UpstreamCall,
  { status, headers: upHeaders, first }: Extract<Decision, { ok: true }>,
  translator: StreamTranslator | undefined,
  attempts: number,
  keepAlive: KeepAlive | undefined,
): Promise<ExchangeResult> {
  const { res } = x;
  keepAlive?.stop();
  const ttfbMs = performance.now() - x.startedAt;
  x.metrics.observeTtfb(x.alias, b.name, ttfbMs / 1000);
  passive(x, b, "success", "");
  if (!res.headersSent) {
    const h: Record<string, string> = x.req.stream ? streamHeaders(x, b.name, model) : { "x-request-id": x.id, "x-router-backend": b.name, "x-router-model": model };
    for (const name of COPY_HEADERS) {
      const v = upHeaders[name];
      if (typeof v !== "string") continue;
      if (name === "content-length" && translator) continue;
      if (name === "content-type" && (x.req.stream || translator)) continue;
      h[name] = v;
    }
    if (!x.req.stream && translator) h["content-type"] = "application/json";
    res.writeHead(status, h);
  }
  const backend = b.name;
  if (first === null) {
    if (translator) res.write(translator.end());
    res.end();
    return { status, outcome: "ok", backend, model, attempts, ttfbMs };
  }
  const out = translator ? translator.push(first) : first;
  if (out.length > 0) res.write(out);
  const end = await call.relay(res, translator, x.config.timeouts.idleMs);
  if (end.ok) {
    res.end();
    return { status, outcome: "ok", backend, model, attempts, ttfbMs };
  }
  if (x.signal.aborted) {
    const stop = stopOf(x.signal);
    if (!stop) return { status: 499, outcome: "client-gone", backend, model, attempts, ttfbMs };
    // The router's own deadline, not the backend's failure: nothing counts against the backend.
    cut(x, stop.error);
    return { status, outcome: stop.outcome, backend, model, attempts, ttfbMs, error: stop.error.message };
  }
  passive(x, b, "failure", "mid-stream");
  const err = midStreamFailure(b.name, end.error.message || end.error.name);
  cut(x, err);
  return { status, outcome: "in-band-error", backend, model, attempts, ttfbMs, error: err.message };
}

/** Ends an answer that already started: never splice a second generation on; say why in the client's dialect. */
function cut(x: Exchange, err: RouterError): void {
  if (x.req.stream) x.res.end(x.face.inBandError(err));
  else x.res.destroy();
}
