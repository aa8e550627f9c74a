// OpenAI chat completion → Anthropic Message (https://docs.claude.com/en/api/messages, "Response").
// Content order is thinking, text, tool_use — the order Anthropic models produce them.
import { randomHex } from "../ids.js";
import { reasoningText } from "./reasoning.js";
import type { AnthropicContentBlock, AnthropicMessage, AnthropicStopReason } from "./types/anthropic.js";
import type { OpenAIChatCompletion, OpenAIFinishReason } from "./types/openai.js";

export interface OpenAIToAnthropicOptions {
  /** The model name the client asked for (echoed back, as Anthropic does). */
  model: string;
  /** The request's stop_sequences, to tell a stop sequence from a natural end. */
  stopSequences?: string[];
  /** Fixed id for tests; default a fresh `msg_...`. */
  id?: string;
}

// Anthropic's shape, 24 hex digits, random (a counter would tell clients how many answers were given).
export function newMessageId(): string {
  return `msg_${randomHex(12)}`;
}

export function newToolUseId(): string {
  return `toolu_${randomHex(12)}`;
}

/**
 * finish_reason → stop_reason. OpenAI's "stop" covers both a natural end and a stop sequence;
 * vLLM reports the matched string in the choice's `stop_reason` extension, which is how the two are told apart.
 */
export function anthropicStopReason(
  finish: OpenAIFinishReason | null | undefined,
  matched: string | number | null | undefined,
  stopSequences: string[] | undefined,
): { stop_reason: AnthropicStopReason; stop_sequence: string | null } {
  switch (finish) {
    case "length":
      return { stop_reason: "max_tokens", stop_sequence: null };
    case "tool_calls":
    case "function_call":
      return { stop_reason: "tool_use", stop_sequence: null };
    case "content_filter":
      return { stop_reason: "refusal", stop_sequence: null };
    default:
      if (typeof matched === "string" && stopSequences?.includes(matched)) {
        return { stop_reason: "stop_sequence", stop_sequence: matched };
      }
      return { stop_reason: "end_turn", stop_sequence: null };
  }
}

/**
 * Tool arguments as the object Anthropic's `input` must be. Empty means no arguments. Arguments that
 * are not a JSON object (a model that wrote broken JSON) are kept verbatim under `_raw_arguments`
 * rather than replaced by `{}`, so nothing the model produced is lost.
 */
export function parseToolInput(args: string | undefined | null): Record<string, unknown> {
  if (!args || !args.trim()) return {};
  try {
    const v = JSON.parse(args) as unknown;
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  return { _raw_arguments: args };
}

export function openAIToAnthropic(res: OpenAIChatCompletion, opts: OpenAIToAnthropicOptions): AnthropicMessage {
  const choice = res.choices[0];
  const content: AnthropicContentBlock[] = [];
  const msg = choice?.message;
  const thinking = reasoningText(msg);
  if (thinking) content.push({ type: "thinking", thinking, signature: "" });
  if (msg?.content) content.push({ type: "text", text: msg.content });
  for (const call of msg?.tool_calls ?? []) {
    content.push({
      type: "tool_use",
      id: call.id || newToolUseId(),
      name: call.function.name,
      input: parseToolInput(call.function.arguments),
    });
  }
  let stop = anthropicStopReason(choice?.finish_reason, choice?.stop_reason, opts.stopSequences);
  // Some engines answer tool calls with finish_reason "stop"; the client must still see tool_use.
  if (stop.stop_reason === "end_turn" && msg?.tool_calls?.length) stop = { stop_reason: "tool_use", stop_sequence: null };
  return {
    id: opts.id ?? newMessageId(),
    type: "message",
    role: "assistant",
    model: opts.model,
    content,
    stop_reason: stop.stop_reason,
    stop_sequence: stop.stop_sequence,
    usage: { input_tokens: res.usage?.prompt_tokens ?? 0, output_tokens: res.usage?.completion_tokens ?? 0 },
  };
}
