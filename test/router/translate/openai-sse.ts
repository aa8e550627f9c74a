// Builders for OpenAI chat-completions stream bodies as engines send them, and a parser for
// the Anthropic SSE the translator emits. Shared by the translation tests.
import type { OpenAIChatChunk } from "../../../router/translate/types/openai.js";

type Delta = NonNullable<NonNullable<OpenAIChatChunk["choices"]>[number]["delta"]>;

export function chunk(delta: Delta, finish: string | null = null, extra: Record<string, unknown> = {}): OpenAIChatChunk {
  return { id: "chatcmpl-1", model: "backend-model", choices: [{ index: 0, delta, finish_reason: finish, ...extra }] };
}

export function usageChunk(prompt: number, completion: number): OpenAIChatChunk {
  return {
    id: "chatcmpl-1",
    model: "backend-model",
    choices: [],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  };
}

export function sseBody(chunks: OpenAIChatChunk[], done = true): string {
  return chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("") + (done ? "data: [DONE]\n\n" : "");
}

export interface ParsedEvent {
  event: string;
  data: Record<string, unknown>;
}

export function parseAnthropicSse(text: string): ParsedEvent[] {
  const out: ParsedEvent[] = [];
  for (const block of text.split("\n\n")) {
    if (!block.trim()) continue;
    const lines = block.split("\n");
    const event = lines.find((l) => l.startsWith("event: "))?.slice(7) ?? "";
    const data = lines.find((l) => l.startsWith("data: "))?.slice(6) ?? "{}";
    out.push({ event, data: JSON.parse(data) as Record<string, unknown> });
  }
  return out;
}

/** A compact rendering of an event sequence for golden comparisons. */
export function shape(events: ParsedEvent[]): string[] {
  return events.map(({ event, data }) => {
    switch (event) {
      case "content_block_start": {
        const b = data.content_block as Record<string, unknown>;
        return `start ${String(data.index)} ${String(b.type)}${b.type === "tool_use" ? ` ${String(b.name)} ${String(b.id)}` : ""}`;
      }
      case "content_block_delta": {
        const d = data.delta as Record<string, unknown>;
        const v = d.text ?? d.thinking ?? d.partial_json ?? d.signature;
        return `delta ${String(data.index)} ${String(d.type)} ${JSON.stringify(v)}`;
      }
      case "content_block_stop":
        return `stop ${String(data.index)}`;
      case "message_delta": {
        const d = data.delta as Record<string, unknown>;
        return `message_delta ${String(d.stop_reason)} ${JSON.stringify(data.usage)}`;
      }
      case "error":
        return `error ${JSON.stringify(data.error)}`;
      default:
        return event;
    }
  });
}
