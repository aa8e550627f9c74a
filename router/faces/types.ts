// A face is one client dialect (OpenAI, Anthropic, Ollama): its paths, how to read a request and
// find `model`, how to address the backend, and how to say "error" before and during a response.
import type { Engine } from "../config/schema.js";

export type Dialect = "openai" | "anthropic" | "ollama";

/** Turns upstream bytes (OpenAI SSE, Ollama NDJSON, a whole JSON body) into client bytes. One per request. */
export interface StreamTranslator {
  push(chunk: Buffer | string): string;
  end(): string;
}

/** Face-neutral error kinds; each face maps them to its own error types. */
export type ErrorKind =
  | "invalid_request"
  | "authentication"
  | "permission"
  | "not_found"
  | "too_large"
  | "rate_limited"
  | "overloaded"
  | "upstream"
  | "timeout"
  | "internal";

export interface RouterError {
  status: number;
  kind: ErrorKind;
  message: string;
  /** Machine-readable code, e.g. model_not_found. */
  code?: string;
  /** Seconds, for 429/503. */
  retryAfterS?: number;
}

export interface Rendered {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface FaceRoute {
  method: "GET" | "POST";
  path: string;
  /** What the route does, e.g. chat, completions, embeddings, models. */
  kind: string;
  /** Answered by the router itself (no backend), e.g. a model list. */
  local?: boolean;
}

/** A request after the body was parsed once and `model` found. */
export interface FaceRequest {
  route: FaceRoute;
  /** The alias the client asked for. */
  model: string;
  stream: boolean;
  body: Record<string, unknown>;
}

export interface PlanTarget {
  backend: string;
  engine: Engine;
  /** The model name as the backend knows it. */
  model: string;
  contextLength: number | undefined;
}

/** How to call the backend for one attempt. */
export interface UpstreamPlan {
  method: "POST" | "GET";
  path: string;
  body: string;
  /** Present when the backend's dialect differs from the client's. */
  translator?: StreamTranslator;
}

export interface AliasView {
  name: string;
  description: string | undefined;
  contextLength: number | undefined;
  /** Whether any target's backend is currently usable. */
  available: boolean;
}

export interface LocalContext {
  /** The aliases the caller may use. */
  aliases: readonly AliasView[];
}

export interface Face {
  readonly name: Dialect;
  readonly routes: readonly FaceRoute[];
  /** Validates the parsed body of a proxied route and finds the alias. */
  parse(route: FaceRoute, body: unknown): FaceRequest | RouterError;
  /** Rewrites the request for one target (model name, path, dialect). */
  plan(req: FaceRequest, target: PlanTarget): UpstreamPlan;
  /** Answers a local route. */
  local(route: FaceRoute, ctx: LocalContext): Rendered;
  renderError(err: RouterError): Rendered;
  /** The last bytes of a stream that failed after it started, in the client's framing. */
  inBandError(err: RouterError): string;
  /** Bytes that keep a waiting stream alive without carrying content (an SSE comment, ...). */
  keepAlive(): string;
  /** Content type of a stream in this dialect. */
  readonly streamContentType: string;
}

export function isRouterError(x: FaceRequest | RouterError): x is RouterError {
  return (x as RouterError).kind !== undefined && (x as FaceRequest).route === undefined;
}
