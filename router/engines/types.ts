// What the router learns about a backend from its engine, without ever running inference.
import type { Engine } from "../config/schema.js";

export type BackendHealth = "unknown" | "up" | "warming" | "down" | "misconfigured";

export interface ModelState {
  /** Present on disk (Ollama /api/tags) or served (vLLM, llama.cpp, OpenAI /v1/models). */
  installed: boolean;
  /** In memory now: a request will not wait for a load. */
  loaded: boolean;
  /** Ollama: when the loaded model will be unloaded (epoch ms). */
  expiresAt?: number;
  /** Context the engine runs the model with (vLLM max_model_len, llama.cpp n_ctx, Ollama's allocated/num_ctx). */
  contextLength?: number;
  /** Ollama: the model's trained maximum (/api/show model_info), used only when nothing better is known. */
  trainedContextLength?: number;
}

export interface ProbeReport {
  health: BackendHealth;
  /** Why, in a few words, for /status. */
  detail: string;
  /** Undefined when the probe could not read the model list. */
  models: Map<string, ModelState> | undefined;
  version?: string;
}

export interface ProbeResponse {
  status: number;
  json: unknown;
}

/** HTTP access for probes; throws on transport errors and timeouts. */
export interface ProbeIO {
  get(path: string): Promise<ProbeResponse>;
  post(path: string, body: unknown): Promise<ProbeResponse>;
}

export interface EngineAdapter {
  engine: Engine;
  /** Whether a model this engine lists is always in memory (no cold load on first use). */
  servedMeansLoaded: boolean;
  /** `wanted` are the model names the alias table uses on this backend. */
  probe(io: ProbeIO, wanted: readonly string[], previous: Map<string, ModelState> | undefined): Promise<ProbeReport>;
}

export function isAuthFailure(status: number): boolean {
  return status === 401 || status === 403;
}

export function misconfigured(path: string, status: number): ProbeReport {
  return { health: "misconfigured", detail: `${path} answered ${status}: check the backend's apiKey`, models: undefined };
}

function record(x: unknown): Record<string, unknown> | undefined {
  return typeof x === "object" && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;
}

export function field(x: unknown, key: string): unknown {
  return record(x)?.[key];
}

export function list(x: unknown): unknown[] {
  return Array.isArray(x) ? (x as unknown[]) : [];
}

export function positiveInt(x: unknown): number | undefined {
  return typeof x === "number" && Number.isInteger(x) && x > 0 ? x : undefined;
}

/** OpenAI-style `{"data":[{"id":...}]}`, with vLLM's `max_model_len` when present. */
export function parseOpenAIModelList(json: unknown, loaded: boolean): Map<string, ModelState> {
  const out = new Map<string, ModelState>();
  for (const m of list(field(json, "data"))) {
    const id = field(m, "id");
    if (typeof id !== "string") continue;
    const ctx = positiveInt(field(m, "max_model_len"));
    out.set(id, { installed: true, loaded, ...(ctx !== undefined ? { contextLength: ctx } : {}) });
  }
  return out;
}
