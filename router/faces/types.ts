// A face is one client dialect (OpenAI, Anthropic, Ollama): its paths, how to read a request and
// find `model`, how to address the backend, and how to say "error" before and during a response.
import type { BackendConfig, Engine } from "../config/schema.js";
import type { ProbeIO } from "../engines/types.js";
import type { RouterError } from "../errors.js";
import type { NameMapper } from "../aliases/resolve.js";
import type { AliasView } from "../aliases/views.js";

export type { RouterError } from "../errors.js";

type Dialect = "openai" | "anthropic" | "ollama";

/** Turns upstream bytes (OpenAI SSE, Ollama NDJSON, a whole JSON body) into client bytes. One per request. */
export interface StreamTranslator {
  /** The bytes for the client so far (a Buffer may be passed on as it came). */
  push(chunk: Buffer | string): Buffer | string;
  end(): string;
}

export interface Rendered {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface FaceRoute {
  method: "GET" | "POST" | "DELETE";
  path: string;
  /** What the route does, e.g. chat, completions, embeddings, models. */
  kind: string;
  /** Answered by the router itself (no backend), e.g. a model list. */
  local?: boolean;
  /** `path` is a prefix; the rest of the request path is the route's parameter (GET /v1/models/{model}). */
  param?: boolean;
}

/** A JSON object as a client sent it, its fields not checked by a schema (a body passed on as it is). */
export type JsonObject = { [key: string]: unknown };

/** Whether parsed JSON is an object (not null, not an array). */
export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * A request after the body was parsed once and `model` found. `kind` is its route's kind and tells
 * which body it carries: a face names its requests as a union over its kinds (`Face<P>`), so its
 * `plan` reads each body as its own type.
 */
export interface ParsedRequest<Kind extends string = string, Body = unknown> {
  route: FaceRoute;
  kind: Kind;
  /** The model name the client sent (answers name it, whatever alias it reached). */
  clientModel: string;
  stream: boolean;
  /** Shared by every target of the failover loop: a plan copies what it changes. */
  readonly body: Readonly<Body>;
}

/** A parsed request whose model name resolved to an alias (aliases/resolve.ts). */
export type FaceRequest<P extends ParsedRequest = ParsedRequest> = P & {
  /** The alias the request resolves to. */
  alias: string;
};

export interface PlanTarget {
  backend: string;
  engine: Engine;
  /** The model name as the backend knows it. */
  model: string;
  contextLength: number | undefined;
  /** The backend's Anthropic Messages setting. */
  anthropic: BackendConfig["anthropic"];
  /** The engine's version when its probe reports one (Ollama /api/version). */
  version: string | undefined;
}

/** An output limit the face lowered to fit the target's context (faces/fit.ts). */
export interface OutputClamp {
  /** What the client asked for. */
  requested: number;
  /** What the backend was sent. */
  sent: number;
}

/** How to call the backend for one attempt. */
export interface UpstreamPlan {
  method: "POST" | "GET";
  path: string;
  body: string;
  /** Present when the backend's dialect differs from the client's and the answer is passed on as it comes. */
  translator?: StreamTranslator;
  /**
   * A non-streamed answer in another dialect: the client gets nothing before the backend's answer is
   * complete and converted, so a failure before then (a cut, a body that is not JSON) may still fail over.
   */
  whole?: WholeAnswer;
  /** Present when the client's output limit was lowered for this target. */
  clamp?: OutputClamp;
}

/** A whole answer converted to the client's dialect, or what is wrong with the backend's body. */
export type Converted = { ok: true; body: string } | { ok: false; detail: string };

export interface WholeAnswer {
  /** The backend's whole body (null when it had none). */
  convert(body: Buffer | null): Converted;
}

/**
 * What a face decides for one target: call the backend, answer without it (count_tokens from the
 * backend's tokenizer), or pass to the next target without counting a failure (prompt too long for
 * this target's context; when no target is left the client gets this error).
 */
export type PlanResult = UpstreamPlan | { local: Rendered } | { skip: RouterError };

export interface LocalContext {
  /** The aliases the caller may use. */
  aliases: readonly AliasView[];
  /** A model name as an inference request would resolve it (aliases/resolve.ts): its alias, if the caller may use it. */
  resolve: (name: string) => AliasView | undefined;
  /** The parsed JSON body of a POST local route (undefined for GET or an empty body). */
  body: unknown;
  /** The path's parameter on a route with `param` (URL-decoded). */
  param?: string;
}

/** One dialect, `P` the requests its routes parse to (a union over the route kinds it proxies). */
export interface Face<P extends ParsedRequest = ParsedRequest> {
  readonly name: Dialect;
  readonly routes: readonly FaceRoute[];
  /** Validates the parsed body of a proxied route and finds the model name. */
  parse(route: FaceRoute, body: unknown): P | RouterError;
  /** The alias a model name stands for in this dialect when it is not an alias itself (aliases/resolve.ts). */
  readonly mapModel?: NameMapper;
  /**
   * Rewrites the request for one target (model name, path, dialect). `io` reaches the target's
   * backend for side questions that never run inference (tokenize).
   */
  plan(req: FaceRequest<P>, target: PlanTarget, io?: ProbeIO): PlanResult | Promise<PlanResult>;
  /** Answers a local route. */
  local(route: FaceRoute, ctx: LocalContext): Rendered;
  renderError(err: RouterError): Rendered;
  /** The last bytes of a stream that failed after it started, in the client's framing. */
  inBandError(err: RouterError): string;
  /** Bytes that keep a waiting stream alive without carrying content (an SSE comment, ...). */
  keepAlive(req: FaceRequest<P>): string;
  /** Content type of a stream in this dialect. */
  readonly streamContentType: string;
}

export function isUpstreamPlan(p: PlanResult): p is UpstreamPlan {
  return "path" in p;
}

/** An error answer with its status, and `retry-after` when the error has one. */
export function errorAnswer(err: RouterError, contentType: string, body: string): Rendered {
  const headers: Record<string, string> = { "content-type": contentType };
  if (err.retryAfterS !== undefined) headers["retry-after"] = String(err.retryAfterS);
  return { status: err.status, headers, body };
}
