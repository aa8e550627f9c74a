// Error bodies in each client's dialect.
// Anthropic: {"type":"error","error":{"type","message"}} with the type chosen by status
// (https://docs.claude.com/en/api/errors: 400 invalid_request_error, 401 authentication_error,
// 403 permission_error, 404 not_found_error, 413 request_too_large, 429 rate_limit_error,
// 500 api_error, 529 overloaded_error; other 4xx use invalid_request_error).
// Ollama: {"error":"message"} (docs/api.md "Errors").
import type { z } from "zod";
import { formatPath } from "../config/schema.js";
import type { AnthropicErrorBody, AnthropicErrorType } from "./types/anthropic.js";
import type { OllamaErrorBody } from "./types/ollama.js";

export interface DialectError<B> {
  status: number;
  body: B;
}

export function anthropicErrorType(status: number): AnthropicErrorType {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    default:
      return status >= 400 && status < 500 ? "invalid_request_error" : "api_error";
  }
}

export function anthropicError(status: number, message: string, type: AnthropicErrorType = anthropicErrorType(status)): DialectError<AnthropicErrorBody> {
  return { status, body: { type: "error", error: { type, message } } };
}

export function ollamaError(status: number, message: string): DialectError<OllamaErrorBody> {
  return { status, body: { error: message } };
}

/** All problems of a rejected request body, each with its path: `messages[2].content[0].type: ...`. */
export function requestIssuesMessage(error: z.ZodError): string {
  return error.issues
    .slice(0, 8)
    .map((i) => `${formatPath(i.path)}: ${i.message}`)
    .join("; ");
}

/**
 * The message inside an engine's error body, whatever its shape: OpenAI `{error:{message}}`,
 * vLLM `{object:"error",message}`, FastAPI `{detail}`, Ollama `{error:"..."}`, or plain text.
 */
export function backendErrorMessage(body: unknown, status: number): string {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      const text = body.trim();
      return text ? text.slice(0, 500) : `backend answered HTTP ${status}`;
    }
  }
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    const err = o.error;
    if (typeof err === "string" && err) return err;
    if (err && typeof err === "object" && typeof (err as Record<string, unknown>).message === "string") {
      return (err as Record<string, string>).message ?? "";
    }
    if (typeof o.message === "string" && o.message) return o.message;
    if (typeof o.detail === "string" && o.detail) return o.detail;
  }
  return `backend answered HTTP ${status}`;
}
