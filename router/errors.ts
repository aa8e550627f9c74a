// Every error the router raises, in one catalogue: a stable `code`, its HTTP status, its face-neutral
// kind (each face maps the kind to its dialect's error type), and one constructor per error. A face
// renders any of them (renderError before the answer started, inBandError after).
// `shown` marks the codes the OpenAI face puts in its error object's `code` field; the others answer
// `code: null` there, as OpenAI's API does for errors without a code.

/** Face-neutral error kinds; each face maps them to its own error types. */
export type ErrorKind =
  "invalid_request" | "authentication" | "permission" | "not_found" | "too_large" | "rate_limited" | "overloaded" | "upstream" | "timeout" | "internal";

interface Entry {
  status: number;
  kind: ErrorKind;
  shown: boolean;
}

const ERRORS = {
  // The request itself.
  invalid_api_key: { status: 401, kind: "authentication", shown: true },
  request_too_large: { status: 413, kind: "too_large", shown: true },
  request_body_timeout: { status: 408, kind: "timeout", shown: true },
  invalid_json: { status: 400, kind: "invalid_request", shown: true },
  invalid_request: { status: 400, kind: "invalid_request", shown: false },
  missing_model: { status: 400, kind: "invalid_request", shown: true },
  invalid_model: { status: 400, kind: "invalid_request", shown: true },
  model_not_found: { status: 404, kind: "not_found", shown: true },
  unknown_path: { status: 404, kind: "not_found", shown: true },
  method_not_allowed: { status: 405, kind: "invalid_request", shown: false },
  context_length_exceeded: { status: 400, kind: "invalid_request", shown: true },
  not_supported: { status: 501, kind: "invalid_request", shown: true },
  unsupported_encoding: { status: 415, kind: "invalid_request", shown: true },
  // The router.
  router_busy: { status: 503, kind: "overloaded", shown: false },
  shutting_down: { status: 503, kind: "overloaded", shown: true },
  request_timeout: { status: 504, kind: "timeout", shown: true },
  internal: { status: 500, kind: "internal", shown: false },
  // The backends.
  no_backend: { status: 503, kind: "overloaded", shown: false },
  first_byte_timeout: { status: 504, kind: "timeout", shown: false },
  idle_timeout: { status: 504, kind: "timeout", shown: false },
  backend_unreachable: { status: 502, kind: "upstream", shown: false },
  backend_busy: { status: 503, kind: "overloaded", shown: false },
  backend_rate_limited: { status: 429, kind: "rate_limited", shown: false },
  backend_error: { status: 502, kind: "upstream", shown: false },
  backend_credentials: { status: 502, kind: "upstream", shown: false },
  /** The client's own mistake as a backend judged it; the status is the backend's 4xx (400 here stands for any). */
  backend_rejected: { status: 400, kind: "invalid_request", shown: false },
  backend_too_large: { status: 413, kind: "too_large", shown: false },
  mid_stream_failure: { status: 502, kind: "upstream", shown: false },
  backend_malformed: { status: 502, kind: "upstream", shown: false },
  answer_too_large: { status: 502, kind: "upstream", shown: false },
} as const satisfies Record<string, Entry>;

type ErrorCode = keyof typeof ERRORS;

export interface RouterError {
  code: ErrorCode;
  status: number;
  message: string;
  /** Seconds, for 429/503. */
  retryAfterS?: number;
  /** What the log says instead of `message` when that quotes a backend's answer (which may echo the prompt). */
  logMessage?: string;
}

export function kindOf(err: RouterError): ErrorKind {
  return ERRORS[err.code].kind;
}

/** The code a client may see (OpenAI's `code` field), or null. */
export function shownCode(err: RouterError): string | null {
  return ERRORS[err.code].shown ? err.code : null;
}

/** An error of the catalogue with its own status. */
function routerError(code: ErrorCode, message: string, extra: Pick<RouterError, "retryAfterS" | "logMessage"> = {}): RouterError {
  return { code, status: ERRORS[code].status, message, ...extra };
}

const cap = (s: string): string => s.slice(0, 128);

// The request itself.
export const invalidApiKey = (message: string): RouterError => routerError("invalid_api_key", message);
export const requestTooLarge = (maxBytes: number): RouterError => routerError("request_too_large", `request body exceeds ${maxBytes} bytes`);
export const bodyTimeout = (ms: number): RouterError =>
  routerError("request_body_timeout", `the request body did not arrive: nothing for ${ms} ms (timeouts.requestIdleMs)`);
export const notJson = (): RouterError => routerError("invalid_json", "request body is not valid JSON");
export const nestedTooDeep = (depth: number): RouterError => routerError("invalid_json", `request JSON is nested deeper than ${depth} levels`);
export const invalidRequest = (message: string): RouterError => routerError("invalid_request", message);
export const missingModel = (message: string): RouterError => routerError("missing_model", message);
export const invalidModel = (message: string): RouterError => routerError("invalid_model", message);
export const unknownPath = (path: string): RouterError => routerError("unknown_path", `unknown path ${cap(path)}`);
export const methodNotAllowed = (method: string, path: string, allow: string): RouterError =>
  routerError("method_not_allowed", `method ${method} not allowed on ${cap(path)}; allowed: ${allow}`);
/** "Prompt too long", in the wording of the client's dialect (see translate/context.ts contextOverflowMessage). */
export const contextTooLong = (message: string): RouterError => routerError("context_length_exceeded", message);
export const notSupported = (message: string): RouterError => routerError("not_supported", message);
export const unsupportedEncoding = (encoding: string): RouterError =>
  routerError("unsupported_encoding", `request bodies with Content-Encoding "${cap(encoding)}" are not accepted; send the JSON body uncompressed`);

/**
 * A model name that names no alias the key may use. It echoes the name the client sent (not what a
 * face mapped it to) and lists only the key's own aliases.
 */
export function unknownModel(requested: string, available: readonly string[]): RouterError {
  const hint = requested.startsWith("claude-") ? "; claude-* names reach an alias through the router's claudeModels setting" : "";
  return routerError("model_not_found", `unknown model "${cap(requested)}"; available aliases: ${available.join(", ") || "(none)"}${hint}`);
}

/** Ollama's own wording for a model it does not have (/api/show). */
export const ollamaModelNotFound = (requested: string): RouterError => routerError("model_not_found", `model '${cap(requested)}' not found`);

// The router.
export const routerBusy = (): RouterError =>
  routerError("router_busy", "the router holds as many request bodies as limits.maxBufferedBytes allows; retry shortly", { retryAfterS: 1 });
/** A request that arrives during a drain. */
export const draining = (): RouterError =>
  routerError("shutting_down", "the router is shutting down and takes no new requests; send it again (to another instance)");
/** The drain after SIGTERM ran out while the request was still open. */
export const drainExpired = (drainMs: number): RouterError =>
  routerError("shutting_down", `the router is shutting down: its drain time (drainMs ${drainMs} ms) ran out before this answer was complete`);
export const requestTimeout = (ms: number): RouterError => routerError("request_timeout", `the request took longer than timeouts.totalMs (${ms} ms)`);
export const internalError = (): RouterError => routerError("internal", "internal router error");

// The backends.
export const noBackend = (alias: string): RouterError => routerError("no_backend", `no backend of alias ${alias} could take the request`);
export const aliasFirstByteTimeout = (alias: string, ms: number): RouterError =>
  routerError("first_byte_timeout", `no backend of alias ${alias} answered within ${ms} ms`);
export const firstByteTimeout = (backend: string): RouterError =>
  routerError("first_byte_timeout", `backend ${backend} sent no response before the first-byte timeout`);
export const idleTimeout = (backend: string, detail: string): RouterError =>
  routerError("idle_timeout", `backend ${backend} went silent before its answer was complete (${detail})`);
export const backendUnreachable = (backend: string, detail: string): RouterError =>
  routerError("backend_unreachable", `backend ${backend} unreachable (${detail})`);
export const backendFull = (backend: string, slot: string): RouterError =>
  routerError("backend_busy", `backend ${backend} is at its concurrency limit (queue ${slot})`, { retryAfterS: 1 });

/** A backend that said busy (429, or a 503 about its queue): the message quotes it, the log only summarises. */
export function backendBusy(backend: string, status: number, message: string, summary: string, retryAfterS: number | undefined): RouterError {
  const r = routerError(status === 429 ? "backend_rate_limited" : "backend_busy", `backend ${backend} is busy: ${message}`, {
    logMessage: `backend ${backend} is busy: answered ${status} (${summary})`,
  });
  return retryAfterS !== undefined ? { ...r, retryAfterS } : r;
}

/** A backend that failed the request (5xx, or 404 for a model it lacks); another backend may cope. */
export const backendError = (backend: string, status: number, message: string, summary: string): RouterError =>
  routerError("backend_error", `backend ${backend} answered ${status}: ${message}`, { logMessage: `backend ${backend} answered ${status} (${summary})` });
export const backendCredentials = (backend: string): RouterError => routerError("backend_credentials", `backend ${backend} rejected the router's credentials`);

/** The client's own mistake as the backend saw it (400, 413, 422...): its status and message are passed on. */
export function backendRejected(backend: string, status: number, message: string, summary: string): RouterError {
  return {
    ...routerError(status === 413 ? "backend_too_large" : "backend_rejected", message, { logMessage: `backend ${backend} answered ${status} (${summary})` }),
    status,
  };
}

/** A whole answer that is not what the engine's dialect promises (not JSON, an error event, nothing). */
export const backendMalformed = (backend: string, detail: string): RouterError =>
  routerError("backend_malformed", `backend ${backend} sent an answer the router cannot use: ${detail}`);
export const answerTooLarge = (backend: string, maxBytes: number): RouterError =>
  routerError("answer_too_large", `backend ${backend} sent a whole answer larger than limits.maxAnswerBytes (${maxBytes} bytes)`);
export const midStreamFailure = (backend: string, detail: string): RouterError =>
  routerError("mid_stream_failure", `backend ${backend} failed mid-response: ${detail}`);

export function isRouterError(x: unknown): x is RouterError {
  return typeof x === "object" && x !== null && typeof (x as RouterError).code === "string" && Object.hasOwn(ERRORS, (x as RouterError).code);
}
