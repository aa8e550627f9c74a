// What a committed answer cost, for the metrics (telemetry/model-metrics.ts): one UsageMeter per
// committed attempt reads the backend's own bytes as the relay passes them on (telemetry/usage.ts),
// and this turns what it found, with the attempt's times, into one record.
import type { IncomingHttpHeaders } from "node:http";
import type { ExchangeResult } from "../telemetry/access.js";
import type { RouterMetrics } from "../telemetry/metrics.js";
import type { UsageMeter } from "../telemetry/usage.js";

/** The attempt's side of the record: where it went, and when things happened (performance.now()). */
export interface Metered {
  alias: string;
  backend: string;
  model: string;
  /** The request was accepted. */
  startedAt: number;
  /** The call went out. */
  sentAt: number;
  /** The backend's first byte (a whole answer's first chunk; a relayed answer's first chunk is at commit). */
  firstByteAt: number;
  /** The model was not resident when the call went out. */
  coldLoad: boolean;
}

/** An event stream or NDJSON: the backend streamed, so its first chunk is its first token. */
function streamed(headers: IncomingHttpHeaders): boolean {
  const type = headers["content-type"];
  return typeof type === "string" && (type.includes("event-stream") || type.includes("ndjson"));
}

/**
 * Records the answer: `whole` is a body held whole (its chunks' times are not known), otherwise the
 * meter saw the chunks as they were relayed. An answer whose result is not `ok` was cut.
 */
export function recordAnswer(
  metrics: RouterMetrics,
  m: Metered,
  meter: UsageMeter,
  headers: IncomingHttpHeaders,
  result: ExchangeResult,
  whole: boolean,
): void {
  meter.end();
  const isStream = streamed(headers);
  const ttft = isStream ? (m.firstByteAt - m.startedAt) / 1000 : undefined;
  const streamSeconds = isStream && !whole && meter.lastAt > meter.firstAt ? (meter.lastAt - meter.firstAt) / 1000 : undefined;
  metrics.answered({
    alias: m.alias,
    backend: m.backend,
    model: m.model,
    usage: meter.usage,
    known: meter.known,
    cut: result.outcome !== "ok",
    ...(ttft !== undefined ? { ttft } : {}),
    ...(streamSeconds !== undefined ? { streamSeconds } : {}),
    coldLoad: m.coldLoad,
    sentToFirstByte: Math.max(0, m.firstByteAt - m.sentAt) / 1000,
  });
}
