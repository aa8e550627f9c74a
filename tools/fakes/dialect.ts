// The contract between the server shell (sockets, auth, faults, stats) and one engine's routes.

import type { FakeContext } from "./context.js";

export interface EngineDialect {
  /** Answers the request; false when the path is not one this engine serves. */
  handle(ctx: FakeContext): Promise<boolean>;
  /** The engine's answer to an unknown path. */
  notFound(ctx: FakeContext): void;
  /** The engine's answer to a missing or wrong API key. */
  unauthorized(ctx: FakeContext): void;
  /** The engine's answer to a body that is not valid JSON. */
  badRequest(ctx: FakeContext, message: string): void;
  /** The error body an engine sends with an HTTP status (used by the status fault). */
  errorBody(path: string, status: number): unknown;
  /** Paths served without an API key even when one is set. */
  isPublic(path: string): boolean;
  loadedModels(): string[];
  loadingModels(): string[];
  /** Whether a request for the model would start at once (loaded, a slot free, nobody waiting). */
  readyFor(model: string): boolean;
  /** Called on stop and before a restart (llama.cpp loads again on a restart). */
  reset(): void;
}

/** Which models an engine holds in memory, and the slot a request waits for. */
export type Release = () => void;

/** Standard status texts used in error bodies. */
export function statusText(status: number): string {
  const known: Record<number, string> = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
  };
  return known[status] ?? "Error";
}
