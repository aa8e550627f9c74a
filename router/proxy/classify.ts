// What a backend's error answer (status ≥ 400, before any content) means for the request, as a pure
// function: whether the next target may still serve it or the client gets this answer, what the
// backend's passive state records, and the error the client and the log see (the client gets the
// backend's message, the log only its error type and size).
import type { IncomingHttpHeaders } from "node:http";
import { backendBusy, backendCredentials, backendError, backendRejected, type RouterError } from "../errors.js";
import { retryAfterMs } from "../health/passive.js";

/**
 * busy: deprioritize for a while (429, a full queue); failure: counts towards an ejection (502/503/504);
 * key-rejected: the backend refused the router's key (its health becomes misconfigured); success:
 * the backend works, the request was wrong; undefined: nothing to record (404 config drift, a 500).
 */
type Recorded = "busy" | "failure" | "key-rejected" | "success" | undefined;

export interface Verdict {
  /** next: another backend may answer; final: any backend would say the same, the client gets `error`. */
  then: "next" | "final";
  record: Recorded;
  /** How long the backend asked to be left alone (Retry-After), for a busy answer. */
  retryAfterMs?: number;
  error: RouterError;
}

export function classifyStatus(backend: string, status: number, text: string, headers: IncomingHttpHeaders, now: number): Verdict {
  // The client is told what the backend said (its own request, echoed); the log gets a summary.
  const message = upstreamMessage(text, status);
  const summary = upstreamErrorSummary(text, status);
  // 429, and Ollama's 503 "server busy" when its queue is full, mean busy: deprioritize, not eject.
  if (status === 429 || (status === 503 && /busy|queue|overload/i.test(message))) {
    const retryAfter = retryAfterMs(headers["retry-after"], now);
    const error = backendBusy(backend, status, message, summary, retryAfter !== undefined ? Math.ceil(retryAfter / 1000) : undefined);
    return { then: "next", record: "busy", ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}), error };
  }
  if (status === 502 || status === 503 || status === 504) return { then: "next", record: "failure", error: backendError(backend, status, message, summary) };
  // A backend refusing the router's key is a configuration error, not an outage.
  if (status === 401 || status === 403) return { then: "next", record: "key-rejected", error: backendCredentials(backend) };
  // 404: the model is not on that backend (config drift); 500: another backend may cope.
  if (status >= 500 || status === 404) return { then: "next", record: undefined, error: backendError(backend, status, message, summary) };
  // The client's own mistake (400, 413, 422...): another backend would say the same.
  return { then: "final", record: "success", error: backendRejected(backend, status, message, summary) };
}

/** A human message from a backend's error body (OpenAI, Ollama, vLLM and llama.cpp shapes). */
function upstreamMessage(text: string, status: number): string {
  try {
    const j = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    const m = typeof j.error === "string" ? j.error : (j.error?.message ?? j.message ?? j.detail);
    if (typeof m === "string" && m.length > 0) return m.slice(0, 500);
  } catch {
    // not JSON: fall through to the raw text
  }
  const t = text.trim().slice(0, 200);
  return t.length > 0 ? t : `status ${status}`;
}

/**
 * Error types and codes as engines write them (BadRequestError, invalid_request_error, vLLM's
 * HTTP phrase "Bad Request"): one short word, or two when the second is capitalised.
 */
const IDENTIFIER = /^[A-Za-z][\w.:-]{0,47}(?: [A-Z][\w.:-]{0,23})?$/;

/**
 * What the log keeps of a backend's error body: its size and the error's type or code when those are
 * short identifiers, never its message. Engines quote the request in their messages: vLLM's
 * validation errors carry each failing field's `input`, for a missing field the whole body, prompt
 * included (vllm/entrypoints/serve/utils/server_utils.py, validation_exception_handler).
 */
function upstreamErrorSummary(text: string, status: number): string {
  const names = new Set<string>();
  const note = (v: unknown): void => {
    const s = typeof v === "number" ? String(v) : v;
    if (typeof s === "string" && IDENTIFIER.test(s) && s !== String(status) && names.size < 4) names.add(s);
  };
  try {
    const j = JSON.parse(text) as Record<string, unknown> | null;
    const inner = typeof j?.error === "object" && j.error !== null ? (j.error as Record<string, unknown>) : undefined;
    note(inner?.type);
    note(inner?.code);
    note(j?.type);
    note(j?.code);
    // FastAPI's 422: {"detail": [{"type": "missing", "loc": [...], "msg": ..., "input": ...}, ...]}
    if (Array.isArray(j?.detail)) for (const d of j.detail as unknown[]) note((d as Record<string, unknown> | null)?.type);
  } catch {
    // not JSON: the size is all there is to say
  }
  const bytes = Buffer.byteLength(text);
  return `${[...names].join(", ")}${names.size > 0 ? "; " : ""}${bytes}-byte body not logged`;
}
