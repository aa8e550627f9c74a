// Anthropic's error shape, {"type":"error","error":{"type","message"}} (docs.claude.com/en/api/errors):
// the type follows the status, and a failure after the stream started is an `error` event.
import { formatSseEvent } from "../../translate/index.js";
import type { AnthropicErrorType } from "../../translate/index.js";
import type { ErrorKind, Rendered, RouterError } from "../types.js";

const typeOf: Record<ErrorKind, AnthropicErrorType> = {
  invalid_request: "invalid_request_error",
  authentication: "authentication_error",
  permission: "permission_error",
  not_found: "not_found_error",
  too_large: "request_too_large",
  rate_limited: "rate_limit_error",
  // 529 overloaded_error is what Anthropic clients back off and retry on.
  overloaded: "overloaded_error",
  upstream: "api_error",
  timeout: "api_error",
  internal: "api_error",
};

export function anthropicErrorType(kind: ErrorKind): AnthropicErrorType {
  return typeOf[kind];
}

export function anthropicErrorBody(err: RouterError): string {
  return JSON.stringify({ type: "error", error: { type: typeOf[err.kind], message: err.message } });
}

export function renderAnthropicError(err: RouterError): Rendered {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (err.retryAfterS !== undefined) headers["retry-after"] = String(err.retryAfterS);
  return { status: err.status, headers, body: anthropicErrorBody(err) };
}

/** Mid-stream: an `error` event; the SDKs raise it as an APIError of that type. */
export function anthropicInBandError(err: RouterError): string {
  return formatSseEvent({ type: "error", error: { type: typeOf[err.kind], message: err.message } });
}

/** A `ping` event: the SDKs skip it at any point of the stream, even before message_start. */
export function anthropicPing(): string {
  return formatSseEvent({ type: "ping" });
}
