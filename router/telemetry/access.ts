// The end of every face request: what it came to (the accounting vocabulary), its metrics and its one
// access log line.
import type { Stop } from "../cancel.js";
import { kindOf, type RouterError } from "../errors.js";
import type { Logger } from "./log.js";
import type { RouterMetrics } from "./metrics.js";

type ExchangeOutcome = "ok" | "client-error" | "upstream-error" | "in-band-error" | "client-gone" | "total-timeout" | "shutdown";

export interface ExchangeResult {
  status: number;
  outcome: ExchangeOutcome;
  backend?: string;
  model?: string;
  attempts: number;
  ttfbMs?: number;
  error?: string;
  /** The output limit the client asked for and the lower one the backend was sent (faces/fit.ts). */
  clamp?: { requested: number; sent: number };
}

/**
 * How an error answer is counted: the client's mistake (an invalid request, even one answered 501
 * because the router does not support it), or a failure to serve it (a 429 is the latter).
 */
function errorOutcome(err: RouterError): ExchangeOutcome {
  return (err.status < 500 && err.status !== 429) || kindOf(err) === "invalid_request" ? "client-error" : "upstream-error";
}

/** What an error answer came to; `served` names the backend and model whose answer it was. */
export function errorResult(err: RouterError, attempts: number, served?: { backend: string; model: string }): ExchangeResult {
  return { status: err.status, outcome: errorOutcome(err), attempts, error: err.logMessage ?? err.message, ...served };
}

/** What a stopped request came to: the client left (499), or the router stopped it (`stop`, see cancel.ts). */
export function stoppedResult(stop: Stop | undefined, attempts: number): ExchangeResult {
  if (!stop) return { status: 499, outcome: "client-gone", attempts };
  return { ...errorResult(stop.error, attempts), outcome: stop.outcome };
}

export interface Access {
  id: string;
  /** The face that answered, or `ops` for the router's own endpoints. */
  face: string;
  method: string;
  path: string;
  /** The metrics' `path`: the route the router serves there (http/routes.ts, `label`), or `other`. */
  route: string;
  /** An ops endpoint (health, status, metrics): logged at debug when it answered, as probes ask often. */
  ops?: boolean;
  /** performance.now() when the request was accepted. */
  started: number;
  /** The alias the request reached, or the one outside the key's scope that it asked for. */
  alias?: string;
  /** The name of the client's key. */
  key?: string;
  stream?: boolean;
}

/**
 * The access line's level, from what the request came to, never from its status alone: `error` when a
 * backend or the router failed to serve it; `warn` for an answer the router gives by design (the
 * client's mistake, a 501 for what it does not support, a drain's 503, its own time cap); `info` when
 * served or when the client left (test/router/telemetry/access-levels.test.ts).
 */
const LEVELS: Record<ExchangeResult["outcome"], "info" | "warn" | "error"> = {
  ok: "info",
  "client-gone": "info",
  "client-error": "warn",
  shutdown: "warn",
  "total-timeout": "warn",
  "upstream-error": "error",
  "in-band-error": "error",
};

export function account(logger: Logger, metrics: RouterMetrics, a: Access, r: ExchangeResult): void {
  const ms = performance.now() - a.started;
  const backend = r.backend ?? "none";
  metrics.countRequest(a.face, a.route, a.alias ?? "none", backend, r.status, r.outcome === "upstream-error" || r.outcome === "in-band-error");
  if (a.alias !== undefined) metrics.observeDuration(a.alias, backend, ms / 1000);
  const level = a.ops === true && r.outcome === "ok" ? "debug" : LEVELS[r.outcome];
  if (!logger.enabled(level)) return;
  logger.request({
    ts: new Date().toISOString(),
    level,
    msg: "request",
    id: a.id,
    face: a.face,
    method: a.method,
    // An unknown path is whatever the client sent: enough of it to see the mistake.
    path: a.path.slice(0, 256),
    ...(a.alias !== undefined ? { alias: a.alias } : {}),
    ...(a.key !== undefined ? { key: a.key } : {}),
    ...(r.backend !== undefined ? { backend: r.backend } : {}),
    ...(r.model !== undefined ? { model: r.model } : {}),
    status: r.status,
    ...(a.stream !== undefined ? { stream: a.stream } : {}),
    attempts: r.attempts,
    ms: Math.round(ms * 100) / 100,
    ...(r.ttfbMs !== undefined ? { ttfbMs: Math.round(r.ttfbMs * 100) / 100 } : {}),
    ...(r.clamp !== undefined ? { maxTokens: r.clamp.sent, maxTokensRequested: r.clamp.requested } : {}),
    outcome: r.outcome,
    ...(r.error !== undefined ? { error: r.error } : {}),
  });
}
