// Ollama native API wire types (https://github.com/ollama/ollama/blob/main/docs/api.md).
// Requests are zod schemas for precise 400s; loose so newer client fields pass.
import { z } from "zod";

/** Modelfile-style options; only the ones with an OpenAI equivalent are translated. */
const ollamaOptionsSchema = z.looseObject({
  num_predict: z.number().int().optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  top_k: z.number().int().optional(),
  min_p: z.number().optional(),
  seed: z.number().int().optional(),
  stop: z.union([z.string(), z.array(z.string())]).optional(),
  presence_penalty: z.number().optional(),
  frequency_penalty: z.number().optional(),
  repeat_penalty: z.number().optional(),
  num_ctx: z.number().int().optional(),
});
export type OllamaOptions = z.infer<typeof ollamaOptionsSchema>;

/** `format`: "json" or a JSON schema object. */
const formatSchema = z.union([z.literal("json"), z.literal(""), z.record(z.string(), z.unknown())]);
/** `think`: boolean, or an effort level for models that take one (gpt-oss). */
const thinkSchema = z.union([z.boolean(), z.enum(["low", "medium", "high"])]);
const keepAlive = z.union([z.string(), z.number()]).optional();

const ollamaToolCallSchema = z.looseObject({
  id: z.string().optional(),
  function: z.looseObject({
    index: z.number().int().optional(),
    name: z.string().min(1),
    arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
  }),
});

const ollamaMessageSchema = z.looseObject({
  role: z.enum(["system", "user", "assistant", "tool"]),
  content: z.string().default(""),
  images: z.array(z.string()).nullish(),
  thinking: z.string().optional(),
  tool_calls: z.array(ollamaToolCallSchema).optional(),
  tool_name: z.string().optional(),
  tool_call_id: z.string().optional(),
});
export type OllamaMessage = z.infer<typeof ollamaMessageSchema>;

const ollamaToolSchema = z.looseObject({
  type: z.literal("function").default("function"),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

export const ollamaChatRequestSchema = z.looseObject({
  model: z.string().min(1, "model is required"),
  messages: z.array(ollamaMessageSchema).default([]),
  tools: z.array(ollamaToolSchema).optional(),
  format: formatSchema.optional(),
  options: ollamaOptionsSchema.optional(),
  stream: z.boolean().default(true),
  keep_alive: keepAlive,
  think: thinkSchema.optional(),
});
export type OllamaChatRequest = z.infer<typeof ollamaChatRequestSchema>;

export const ollamaGenerateRequestSchema = z.looseObject({
  model: z.string().min(1, "model is required"),
  prompt: z.string().default(""),
  suffix: z.string().optional(),
  images: z.array(z.string()).nullish(),
  system: z.string().optional(),
  format: formatSchema.optional(),
  options: ollamaOptionsSchema.optional(),
  stream: z.boolean().default(true),
  raw: z.boolean().optional(),
  keep_alive: keepAlive,
  think: thinkSchema.optional(),
});
export type OllamaGenerateRequest = z.infer<typeof ollamaGenerateRequestSchema>;

export const ollamaEmbedRequestSchema = z.looseObject({
  model: z.string().min(1, "model is required"),
  input: z.union([z.string(), z.array(z.string()).min(1, "input must not be empty")]),
  truncate: z.boolean().optional(),
  dimensions: z.number().int().positive().optional(),
  options: ollamaOptionsSchema.optional(),
  keep_alive: keepAlive,
});
export type OllamaEmbedRequest = z.infer<typeof ollamaEmbedRequestSchema>;

/** The legacy single-prompt endpoint /api/embeddings. */
export const ollamaEmbeddingsRequestSchema = z.looseObject({
  model: z.string().min(1, "model is required"),
  prompt: z.string(),
  options: ollamaOptionsSchema.optional(),
  keep_alive: keepAlive,
});
export type OllamaEmbeddingsRequest = z.infer<typeof ollamaEmbeddingsRequestSchema>;

// ---- responses ----

export interface OllamaToolCall {
  function: { name: string; arguments: Record<string, unknown> };
}

/** Counters and durations (nanoseconds) carried by the final object. */
export interface OllamaStats {
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
  prompt_eval_duration: number;
  eval_count: number;
  eval_duration: number;
}

export type OllamaDoneReason = "stop" | "length" | "load" | "unload";

export interface OllamaChatResponse extends Partial<OllamaStats> {
  model: string;
  created_at: string;
  message: { role: "assistant"; content: string; thinking?: string; tool_calls?: OllamaToolCall[] };
  done: boolean;
  done_reason?: OllamaDoneReason;
}

export interface OllamaGenerateResponse extends Partial<OllamaStats> {
  model: string;
  created_at: string;
  response: string;
  thinking?: string;
  done: boolean;
  done_reason?: OllamaDoneReason;
}

export interface OllamaEmbedResponse {
  model: string;
  embeddings: number[][];
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
}

export interface OllamaEmbeddingsResponse {
  embedding: number[];
}
