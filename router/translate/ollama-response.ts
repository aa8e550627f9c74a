// OpenAI responses → Ollama native final objects (docs/api.md): `done: true`, `done_reason`, token
// counts, and durations in nanoseconds ("All durations are returned in nanoseconds"). Tool-call
// arguments are objects in Ollama's API, strings in OpenAI's.
import { parseToolInput } from "./anthropic-response.js";
import { reasoningText } from "./reasoning.js";
import type { OpenAIChatCompletion, OpenAICompletion, OpenAIEmbeddingResponse, OpenAIFinishReason, OpenAIToolCall, OpenAIUsage } from "./types/openai.js";
import type {
  OllamaChatResponse,
  OllamaDoneReason,
  OllamaEmbeddingsResponse,
  OllamaEmbedResponse,
  OllamaGenerateResponse,
  OllamaStats,
  OllamaToolCall,
} from "./types/ollama.js";

/** What the router measured around the backend call, in nanoseconds. */
export interface OllamaTiming {
  totalNs: number;
  /** Request sent → first token; reported as prompt evaluation. */
  promptEvalNs?: number;
  loadNs?: number;
}

export interface OllamaResponseOptions {
  /** The alias the client asked for (Ollama echoes the model name). */
  model: string;
  timing: OllamaTiming;
  createdAt?: Date;
}

/** Ollama has no tool-call finish reason: a response with tool calls ends with "stop". */
export function ollamaDoneReason(finish: OpenAIFinishReason | null | undefined): OllamaDoneReason {
  return finish === "length" ? "length" : "stop";
}

export function ollamaStats(usage: OpenAIUsage | null | undefined, timing: OllamaTiming): OllamaStats {
  const total = Math.max(0, Math.round(timing.totalNs));
  const load = Math.max(0, Math.round(timing.loadNs ?? 0));
  const prompt = Math.min(total - load, Math.max(0, Math.round(timing.promptEvalNs ?? 0)));
  return {
    total_duration: total,
    load_duration: load,
    prompt_eval_count: usage?.prompt_tokens ?? 0,
    prompt_eval_duration: prompt,
    eval_count: usage?.completion_tokens ?? 0,
    eval_duration: Math.max(0, total - load - prompt),
  };
}

export function toolCallsToOllama(calls: readonly Pick<OpenAIToolCall, "function">[]): OllamaToolCall[] {
  return calls.map((c) => ({ function: { name: c.function.name, arguments: parseToolInput(c.function.arguments) } }));
}

export function openAIToOllamaChat(res: OpenAIChatCompletion, opts: OllamaResponseOptions): OllamaChatResponse {
  const choice = res.choices[0];
  const message: OllamaChatResponse["message"] = { role: "assistant", content: choice?.message.content ?? "" };
  const thinking = reasoningText(choice?.message);
  if (thinking) message.thinking = thinking;
  if (choice?.message.tool_calls?.length) message.tool_calls = toolCallsToOllama(choice.message.tool_calls);
  return {
    model: opts.model,
    created_at: (opts.createdAt ?? new Date()).toISOString(),
    message,
    done: true,
    done_reason: ollamaDoneReason(choice?.finish_reason),
    ...ollamaStats(res.usage, opts.timing),
  };
}

export function openAIToOllamaGenerate(res: OpenAIChatCompletion | OpenAICompletion, opts: OllamaResponseOptions): OllamaGenerateResponse {
  const choice = res.choices[0];
  let response = "";
  let thinking = "";
  if (choice && "message" in choice) {
    response = choice.message.content ?? "";
    thinking = reasoningText(choice.message);
  } else if (choice && "text" in choice) {
    response = choice.text;
  }
  const out: OllamaGenerateResponse = {
    model: opts.model,
    created_at: (opts.createdAt ?? new Date()).toISOString(),
    response,
    done: true,
    done_reason: ollamaDoneReason(choice?.finish_reason),
    ...ollamaStats(res.usage, opts.timing),
  };
  if (thinking) out.thinking = thinking;
  return out;
}

export function openAIToOllamaEmbed(res: OpenAIEmbeddingResponse, opts: { model: string; timing: OllamaTiming }): OllamaEmbedResponse {
  const data = [...res.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  return {
    model: opts.model,
    embeddings: data.map((d) => d.embedding),
    total_duration: Math.round(opts.timing.totalNs),
    load_duration: Math.round(opts.timing.loadNs ?? 0),
    prompt_eval_count: res.usage?.prompt_tokens ?? 0,
  };
}

export function openAIToOllamaEmbeddings(res: OpenAIEmbeddingResponse): OllamaEmbeddingsResponse {
  return { embedding: res.data[0]?.embedding ?? [] };
}
