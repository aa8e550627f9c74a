// Anthropic's error shape, {"type":"error","error":{"type","message"}} (docs.claude.com/en/api/errors):
// the type follows the kind of error, and a failure after the stream started is an `error` event.
import { kindOf, type ErrorKind } from "../../errors.js";
import { formatSseEvent } from "../../translate/index.js";
import type { AnthropicErrorBody, AnthropicErrorType } from "../../translate/index.js";
import { errorAnswer, type Rendered, type RouterError } from "../types.js";

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

function anthropicErrorObject(err: RouterError): AnthropicErrorBody {
  return { type: "error", error: { type: typeOf[kindOf(err)], message: err.message } };
}

export function renderAnthropicError(err: RouterError): Rendered {
  return errorAnswer(err, "application/json", JSON.stringify(anthropicErrorObject(err)));
}

/** Mid-stream: an `error` event; the SDKs raise it as an APIError of that type. */
export function anthropicInBandError(err: RouterError): string {
  return formatSseEvent(anthropicErrorObject(err));
}

/** A `ping` event: the SDKs skip it at any point of the stream, even before message_start. */
export function anthropicPing(): string {
  return formatSseEvent({ type: "ping" });
}
