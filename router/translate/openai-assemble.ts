// A streamed OpenAI answer (chat or text completions) put back together as the one JSON body a
// non-streaming client expects. Used where the router streams from the backend although the client
// did not ask for a stream: llama.cpp's server notices a client that went away only while it writes
// a stream (ggml-org/llama.cpp#9273: a non-streamed request blocks on the result and cannot be
// cancelled), so a non-streamed request whose client left would keep a slot generating to the end.
import { SseDataDecoder } from "./sse.js";
import type { OpenAIChatChunk, OpenAIChatCompletion, OpenAICompletion, OpenAIToolCall, OpenAIUsage } from "./types/openai.js";

export type AssembledKind = "chat" | "completions";

interface ChoiceParts {
  role: string;
  content: string;
  sawContent: boolean;
  reasoning: string;
  /** Which name the backend used for reasoning, so the whole body uses the same one. */
  reasoningField: "reasoning" | "reasoning_content";
  text: string;
  tools: Map<number, { id: string; type: string; name: string; arguments: string }>;
  finish: string | null;
  stopReason: string | number | null | undefined;
}

interface CompletionChunk {
  id?: string;
  model?: string;
  created?: number;
  object?: string;
  system_fingerprint?: string | null;
  choices?: { index?: number; text?: string | null; finish_reason?: string | null; stop_reason?: string | number | null }[];
  usage?: OpenAIUsage | null;
  error?: unknown;
}

type AnyChunk = OpenAIChatChunk & CompletionChunk & { created?: number; system_fingerprint?: string | null; error?: unknown };

type AssembledBody = (OpenAIChatCompletion & Record<string, unknown>) | (OpenAICompletion & Record<string, unknown>);

/** The outcome: the whole body, an error the backend sent in the stream, or nothing usable. */
export type Assembled = { ok: true; body: AssembledBody } | { ok: false; error: unknown };

export class OpenAIStreamAssembler {
  private readonly sse = new SseDataDecoder();
  private readonly choices = new Map<number, ChoiceParts>();
  private id: string | undefined;
  private model: string | undefined;
  private created: number | undefined;
  private fingerprint: string | null | undefined;
  private usage: OpenAIUsage | undefined;
  private error: unknown;
  private chunks = 0;

  constructor(private readonly kind: AssembledKind) {}

  push(chunk: Buffer | string): void {
    for (const data of this.sse.push(chunk)) this.event(data);
  }

  result(): Assembled {
    for (const data of this.sse.end()) this.event(data);
    if (this.error !== undefined) return { ok: false, error: this.error };
    if (this.chunks === 0) return { ok: false, error: undefined };
    const created = this.created ?? Math.floor(Date.now() / 1000);
    const indexes = [...this.choices.keys()].sort((a, b) => a - b);
    const head = {
      ...(this.id !== undefined ? { id: this.id } : {}),
      created,
      ...(this.model !== undefined ? { model: this.model } : {}),
      ...(this.fingerprint !== undefined ? { system_fingerprint: this.fingerprint } : {}),
    };
    const usage = this.usage ? { usage: this.usage } : {};
    if (this.kind === "completions") {
      const choices = indexes.map((index) => {
        const c = this.choices.get(index) as ChoiceParts;
        return { index, text: c.text, logprobs: null, finish_reason: c.finish, ...(c.stopReason !== undefined ? { stop_reason: c.stopReason } : {}) };
      });
      return { ok: true, body: { ...head, object: "text_completion", choices, ...usage } };
    }
    const choices = indexes.map((index) => {
      const c = this.choices.get(index) as ChoiceParts;
      const toolCalls: OpenAIToolCall[] = [...c.tools.entries()]
        .sort(([a], [b]) => a - b)
        .map(([, t]) => ({ id: t.id, type: "function", function: { name: t.name, arguments: t.arguments } }));
      const message: Record<string, unknown> = { role: c.role, content: c.sawContent || toolCalls.length === 0 ? c.content : null };
      if (c.reasoning) message[c.reasoningField] = c.reasoning;
      if (toolCalls.length > 0) message.tool_calls = toolCalls;
      return { index, message, logprobs: null, finish_reason: c.finish, ...(c.stopReason !== undefined ? { stop_reason: c.stopReason } : {}) };
    });
    return { ok: true, body: { ...head, object: "chat.completion", choices, ...usage } as AssembledBody };
  }

  private event(data: string): void {
    if (data === "[DONE]") return;
    let chunk: AnyChunk;
    try {
      chunk = JSON.parse(data) as AnyChunk;
    } catch {
      return; // not an event of this protocol: nothing to add
    }
    if (typeof chunk !== "object" || chunk === null) return;
    if (chunk.error !== undefined) {
      this.error = chunk.error;
      return;
    }
    this.chunks++;
    if (typeof chunk.id === "string") this.id ??= chunk.id;
    if (typeof chunk.model === "string") this.model ??= chunk.model;
    if (typeof chunk.created === "number") this.created ??= chunk.created;
    if (chunk.system_fingerprint !== undefined) this.fingerprint = chunk.system_fingerprint;
    if (chunk.usage) this.usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      const c = this.choice(choice.index ?? 0);
      const text = (choice as { text?: string | null }).text;
      if (typeof text === "string") c.text += text;
      const delta = (choice as { delta?: NonNullable<OpenAIChatChunk["choices"]>[number]["delta"] }).delta;
      if (delta) {
        if (typeof delta.role === "string") c.role = delta.role;
        if (typeof delta.content === "string") {
          c.content += delta.content;
          c.sawContent ||= delta.content.length > 0;
        }
        if (typeof delta.reasoning === "string") {
          c.reasoning += delta.reasoning;
          c.reasoningField = "reasoning";
        } else if (typeof delta.reasoning_content === "string") {
          c.reasoning += delta.reasoning_content;
        }
        for (const t of delta.tool_calls ?? []) {
          const slot = t.index ?? c.tools.size;
          const tool = c.tools.get(slot) ?? { id: "", type: "function", name: "", arguments: "" };
          if (t.id) tool.id = t.id;
          if (t.type) tool.type = t.type;
          // The name arrives whole in the call's first delta; some engines repeat it later.
          if (t.function?.name && !tool.name) tool.name = t.function.name;
          if (t.function?.arguments) tool.arguments += t.function.arguments;
          c.tools.set(slot, tool);
        }
      }
      if (choice.finish_reason) c.finish = choice.finish_reason;
      const stop = (choice as { stop_reason?: string | number | null }).stop_reason;
      if (stop !== undefined) c.stopReason = stop;
    }
  }

  private choice(index: number): ChoiceParts {
    let c = this.choices.get(index);
    if (!c) {
      c = {
        role: "assistant",
        content: "",
        sawContent: false,
        reasoning: "",
        reasoningField: "reasoning_content",
        text: "",
        tools: new Map(),
        finish: null,
        stopReason: undefined,
      };
      this.choices.set(index, c);
    }
    return c;
  }
}

/** The request body, asking the backend to stream (with a final usage chunk) in the client's stead. */
export function streamInStead<T extends object>(body: T): T & { stream: true; stream_options: { include_usage: true } } {
  return Object.assign(body, { stream: true as const, stream_options: { include_usage: true as const } });
}
