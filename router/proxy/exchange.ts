// One client request on its way through an alias's targets (what forward() is given), what it comes
// to, and what it tells the passive tracker about the backends it reaches.
import type { AliasConfig, RouterConfig } from "../config/schema.js";
import type { Backend, BackendRegistry } from "../backends/registry.js";
import { kindOf, type RouterError } from "../errors.js";
import type { Face, FaceRequest } from "../faces/types.js";
import { recordOutcome, type Outcome } from "../health/passive.js";
import { stopOf, type CancelSignal } from "../http/cancel.js";
import type { Reply } from "../http/reply.js";
import type { RouterMetrics } from "../ops/metrics.js";

export interface Exchange {
  id: string;
  face: Face;
  req: FaceRequest;
  alias: string;
  aliasConfig: AliasConfig;
  config: RouterConfig;
  registry: BackendRegistry;
  /** The only way to the client's response. */
  reply: Reply;
  /** Aborted when the client goes away, or by the router (total time cap, end of a drain) with its reason. */
  signal: CancelSignal;
  metrics: RouterMetrics;
  /** performance.now() when the request was accepted. */
  startedAt: number;
  now: () => number;
  random: () => number;
}

type ExchangeOutcome = "ok" | "client-error" | "upstream-error" | "in-band-error" | "client-gone" | "total-timeout" | "shutdown";

export interface ExchangeResult {
  status: number;
  outcome: ExchangeOutcome;
  backend?: string;
  model?: string;
  attempts: number;
  ttfbMs?: number;
  error?: string;
}

/**
 * How an error answer is counted: the client's mistake (an invalid request, even one answered 501
 * because the router does not support it), or a failure to serve it (a 429 is the latter).
 */
export function errorOutcome(err: RouterError): ExchangeOutcome {
  return (err.status < 500 && err.status !== 429) || kindOf(err) === "invalid_request" ? "client-error" : "upstream-error";
}

/** Answers an error before any content: a proper status if the head is not out yet, in-band otherwise. */
export function fail(x: Exchange, err: RouterError, attempts: number, backend?: string, model?: string): ExchangeResult {
  x.reply.error(err);
  return {
    status: err.status,
    outcome: errorOutcome(err),
    attempts,
    error: err.logMessage ?? err.message,
    ...(backend !== undefined ? { backend } : {}),
    ...(model !== undefined ? { model } : {}),
  };
}

/** The request was stopped: the client left (nobody to tell), or the router stopped it (say why). */
export function stopped(x: Exchange, attempts: number): ExchangeResult {
  const stop = stopOf(x.signal);
  if (!stop) return { status: 499, outcome: "client-gone", attempts };
  return { ...fail(x, stop.error, attempts), outcome: stop.outcome };
}

/** What a request says about its backend, to the passive tracker; `reason` labels a failure in the metrics. */
export function track(x: Exchange, b: Backend, outcome: Outcome, reason = "", retryAfter?: number): void {
  if (outcome === "failure" || outcome === "refused") x.metrics.upstreamFailures.inc({ backend: b.name, reason });
  if (recordOutcome(b.passive, outcome, x.now(), x.config.ejection, x.random(), retryAfter)) {
    b.ejections++;
    x.metrics.ejections.inc({ backend: b.name });
  }
}
