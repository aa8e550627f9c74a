// Fitting a request into a target's context window. Claude Code asks for max_tokens 32000; a vLLM
// serving max_model_len 32768 rejects prompt + 32000 with a 400, so the output budget is clamped to
// what is left instead (test/router/translate/context.test.ts). Only a prompt that cannot fit at all is an error.
import { contextTooLong, type RouterError } from "../errors.js";

/** Room kept free for template tokens the count may not see (generation prompt, tool preambles). */
function safetyMargin(contextLength: number): number {
  return Math.max(64, Math.ceil(contextLength * 0.01));
}

export interface OutputBudgetInput {
  promptTokens: number;
  requestedMaxTokens: number;
  contextLength: number;
  /** Default: safetyMargin(contextLength). */
  margin?: number;
  /** Smallest answer worth generating; below it the prompt "does not fit". Default 1. */
  minOutputTokens?: number;
}

export type OutputBudget =
  { fits: true; maxTokens: number; clamped: boolean } | { fits: false; promptTokens: number; contextLength: number; available: number };

export function planOutputTokens(input: OutputBudgetInput): OutputBudget {
  const margin = input.margin ?? safetyMargin(input.contextLength);
  const available = input.contextLength - input.promptTokens - margin;
  if (available < (input.minOutputTokens ?? 1)) {
    return { fits: false, promptTokens: input.promptTokens, contextLength: input.contextLength, available: Math.max(0, available) };
  }
  if (input.requestedMaxTokens <= available) return { fits: true, maxTokens: input.requestedMaxTokens, clamped: false };
  return { fits: true, maxTokens: available, clamped: true };
}

/**
 * "Prompt too long" in the client's dialect. Anthropic's wording ("prompt is too long: N tokens > M
 * maximum", 400 invalid_request_error) is what Claude Code recognises to compact the conversation.
 */
export function contextOverflowError(dialect: "anthropic" | "ollama" | "openai", promptTokens: number, contextLength: number): RouterError {
  const max = Math.max(0, contextLength - safetyMargin(contextLength));
  if (dialect === "anthropic") return contextTooLong(`prompt is too long: ${promptTokens} tokens > ${max} maximum`);
  // OpenAI's wording for code context_length_exceeded, which clients match to trim the conversation.
  if (dialect === "openai")
    return contextTooLong(
      `This model's maximum context length is ${max} tokens. However, your messages resulted in ${promptTokens} tokens. Please reduce the length of the messages.`,
    );
  // Ollama's own wording for an input it refuses ("the input length exceeds the context length",
  // a 400 from /api/embed, as client reports quote it, e.g. nano-step/nano-brain#208),
  // with the numbers added so the client can tell by how much.
  return contextTooLong(`the input length exceeds the context length (${promptTokens} prompt tokens, context ${contextLength})`);
}
