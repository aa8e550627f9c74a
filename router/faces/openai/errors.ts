// OpenAI's error shape: {"error":{"message","type","param","code"}}.
import { kindOf, shownCode, type ErrorKind } from "../../errors.js";
import { errorAnswer, type Rendered, type RouterError } from "../types.js";

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

function openaiErrorBody(err: RouterError): string {
  return JSON.stringify({
    error: { message: err.message, type: typeOf[kindOf(err)], param: null, code: shownCode(err) },
  });
}

export function renderOpenAIError(err: RouterError): Rendered {
  return errorAnswer(err, "application/json", openaiErrorBody(err));
}

/** Mid-stream: one SSE event carrying the error object; the OpenAI SDKs raise it as an APIError. */
export function openaiInBandError(err: RouterError): string {
  return `data: ${openaiErrorBody(err)}\n\n`;
}
