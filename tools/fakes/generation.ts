// Turning a FakeReply into the token-by-token events every dialect streams, with the same
// token counts for usage, context checks and truncation at max_tokens.

import { countTokens, tokenPieces } from "./tokens.js";
import type { FakeReply } from "./types.js";

export type GenerationEvent =
  | { kind: "reasoning"; text: string }
  | { kind: "content"; text: string }
  | { kind: "tool"; index: number; id: string; name: string; first: boolean; argumentsFragment: string; arguments: string };

export interface GenerationPlan {
  events: GenerationEvent[];
  reasoning: string;
  content: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  /** OpenAI vocabulary: stop | length | tool_calls (or whatever the reply forced). */
  finishReason: string;
  promptTokens: number;
  completionTokens: number;
}

const ARGUMENT_FRAGMENT = 8;

let toolCallSeq = 0;
function toolCallId(): string {
  toolCallSeq += 1;
  return `call_${toolCallSeq.toString(36).padStart(8, "0")}`;
}

export function planGeneration(reply: FakeReply, promptTokens: number, maxTokens?: number): GenerationPlan {
  const budget = maxTokens === undefined ? Infinity : maxTokens;
  const events: GenerationEvent[] = [];
  let used = 0;
  let truncated = false;
  const take = (kind: "reasoning" | "content", text: string | undefined): string => {
    let kept = "";
    for (const piece of tokenPieces(text ?? "")) {
      if (used >= budget) {
        truncated = true;
        break;
      }
      used += 1;
      kept += piece;
      events.push({ kind, text: piece });
    }
    return kept;
  };
  const reasoning = take("reasoning", reply.reasoning);
  const content = take("content", reply.content);
  const toolCalls: GenerationPlan["toolCalls"] = [];
  if (!truncated) {
    (reply.toolCalls ?? []).forEach((call, index) => {
      const id = toolCallId();
      toolCalls.push({ id, name: call.name, arguments: call.arguments });
      used += countTokens(call.arguments) + 1;
      // First delta carries id and name, then the arguments arrive in fragments (as vLLM streams them).
      events.push({ kind: "tool", index, id, name: call.name, first: true, argumentsFragment: "", arguments: call.arguments });
      for (let i = 0; i < call.arguments.length; i += ARGUMENT_FRAGMENT) {
        events.push({
          kind: "tool",
          index,
          id,
          name: call.name,
          first: false,
          argumentsFragment: call.arguments.slice(i, i + ARGUMENT_FRAGMENT),
          arguments: call.arguments,
        });
      }
    });
  }
  const finishReason = reply.finishReason ?? (truncated ? "length" : toolCalls.length > 0 ? "tool_calls" : "stop");
  return {
    events,
    reasoning,
    content,
    toolCalls,
    finishReason,
    promptTokens: reply.promptTokens ?? promptTokens,
    completionTokens: reply.completionTokens ?? used,
  };
}
