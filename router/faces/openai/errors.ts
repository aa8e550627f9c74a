// OpenAI's error shape: {"error":{"message","type","param","code"}}.
import type { ErrorKind, Rendered, RouterError } from "../types.js";

const typeOf: Record<ErrorKind, string> = {
  invalid_request: "invalid_request_error",
  authentication: "authentication_error",
  permission: "permission_error",
  not_found: "invalid_request_error",
  too_large: "invalid_request_error",
  rate_limited: "rate_limit_error",
  overloaded: "server_error",
  upstream: "server_error",
  timeout: "server_error",
  internal: "server_error",
};

export function openaiErrorBody(err: RouterError): string {
  return JSON.stringify({
    error: { message: err.message, type: typeOf[err.kind], param: null, code: err.code ?? null },
  });
}

export function renderOpenAIError(err: RouterError): Rendered {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (err.retryAfterS !== undefined) headers["retry-after"] = String(err.retryAfterS);
  return { status: err.status, headers, body: openaiErrorBody(err) };
}

/** Mid-stream: one SSE event carrying the error object; the OpenAI SDKs raise it as an APIError. */
export function openaiInBandError(err: RouterError): string {
  return `data: ${openaiErrorBody(err)}\n\n`;
}
