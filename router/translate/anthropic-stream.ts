// OpenAI chat-completions SSE → Anthropic Messages SSE.
// Event grammar (https://docs.claude.com/en/docs/build-with-claude/streaming): message_start; per
// content block content_block_start, content_block_delta*, content_block_stop; message_delta
// (stop_reason, usage); message_stop; `ping` any time; `error` ends the stream in band.
// The content blocks are anthropic-blocks.ts; this file owns the message around them: its start, the
// stop reason and usage, and errors (a stream that ends early is an error, never a fake success).
import { ContentBlocks } from "./anthropic-blocks.js";
import { anthropicStopReason, newMessageId } from "./anthropic-response.js";
import { reasoningText } from "./reasoning.js";
import { SseDataDecoder } from "./sse.js";
import type { AnthropicErrorType, AnthropicStopReason, AnthropicStreamEvent } from "./types/anthropic.js";
import type { OpenAIChatChunk } from "./types/openai.js";

export interface AnthropicStreamOptions {
  /** The model name the client asked for. */
  model: string;
  stopSequences?: string[];
  /** Prompt tokens known before the backend answers (e.g. counted for clamping); the final usage wins. */
  inputTokens?: number;
  /** Fixed message id for tests. */
  id?: string;
  /** Tool-use id generator for tools the backend sent without an id (tests fix it). */
  toolUseId?: () => string;
}

export function formatSseEvent(ev: AnthropicStreamEvent): string {
  return `event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`;
}

export class AnthropicStreamTranslator {
  private readonly sse = new SseDataDecoder();
  private readonly opts: AnthropicStreamOptions;
  private readonly id: string;
  private started = false;
  private finished = false;
  private sawFinish = false;
  private readonly blocks: ContentBlocks;
  private stop: { stop_reason: AnthropicStopReason; stop_sequence: string | null } | undefined;
  private inputTokens: number | undefined;
  private outputTokens = 0;

  constructor(opts: AnthropicStreamOptions) {
    this.opts = opts;
    this.id = opts.id ?? newMessageId();
    this.inputTokens = opts.inputTokens;
    this.blocks = new ContentBlocks(opts.toolUseId);
  }

  /** True once message_stop or an error event has been produced. */
  get done(): boolean {
    return this.finished;
  }

  /** Consumes upstream bytes (split anywhere) and returns the Anthropic events they complete. */
  push(chunk: string | Buffer): string {
    const out: AnthropicStreamEvent[] = [];
    for (const data of this.sse.push(chunk)) this.handle(data, out);
    return out.map(formatSseEvent).join("");
  }

  /** The upstream body ended. A stream that never finished yields an error event, not a fake success. */
  end(): string {
    const out: AnthropicStreamEvent[] = [];
    for (const data of this.sse.end()) this.handle(data, out);
    if (!this.finished) {
      if (this.sawFinish) this.finish(out);
      else this.fail("the backend stream ended before the response was complete", "api_error", out);
    }
    return out.map(formatSseEvent).join("");
  }

  /** An in-band error event; the stream is over afterwards. */
  error(message: string, type: AnthropicErrorType = "api_error"): string {
    const out: AnthropicStreamEvent[] = [];
    this.fail(message, type, out);
    return out.map(formatSseEvent).join("");
  }

  /** A keep-alive event (message_start first if not yet sent, so clients see a well-formed stream). */
  ping(): string {
    if (this.finished) return "";
    const out: AnthropicStreamEvent[] = [];
    this.ensureStarted(out);
    out.push({ type: "ping" });
    return out.map(formatSseEvent).join("");
  }

  private fail(message: string, type: AnthropicErrorType, out: AnthropicStreamEvent[]): void {
    if (this.finished) return;
    this.finished = true;
    out.push({ type: "error", error: { type, message } });
  }

  private ensureStarted(out: AnthropicStreamEvent[]): void {
    if (this.started) return;
    this.started = true;
    out.push({
      type: "message_start",
      message: {
        id: this.id,
        type: "message",
        role: "assistant",
        model: this.opts.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: this.inputTokens ?? 0, output_tokens: 0 },
      },
    });
  }

  private handle(data: string, out: AnthropicStreamEvent[]): void {
    if (this.finished) return;
    if (data.trim() === "[DONE]") {
      this.finish(out);
      return;
    }
    let chunk: OpenAIChatChunk;
    try {
      chunk = JSON.parse(data) as OpenAIChatChunk;
    } catch {
      this.fail("the backend sent a malformed stream chunk", "api_error", out);
      return;
    }
    if (!chunk || typeof chunk !== "object") return;
    if (chunk.error !== undefined || chunk.object === "error") {
      const e = chunk.error;
      const msg = typeof e === "string" ? e : (e?.message ?? chunk.message ?? "the backend failed mid-stream");
      this.fail(msg, "api_error", out);
      return;
    }
    this.ensureStarted(out);
    if (chunk.usage) {
      if (typeof chunk.usage.prompt_tokens === "number") this.inputTokens = chunk.usage.prompt_tokens;
      if (typeof chunk.usage.completion_tokens === "number") this.outputTokens = chunk.usage.completion_tokens;
    }
    const choice = chunk.choices?.find((c) => (c.index ?? 0) === 0);
    if (!choice) return;
    const delta = choice.delta;
    const thinking = reasoningText(delta);
    if (thinking) this.blocks.text("thinking", thinking, out);
    if (delta?.content) this.blocks.text("text", delta.content, out);
    for (const tc of delta?.tool_calls ?? []) this.blocks.tool(tc, out);
    if (choice.finish_reason) {
      this.sawFinish = true;
      this.blocks.close(out);
      this.stop = anthropicStopReason(choice.finish_reason, choice.stop_reason, this.opts.stopSequences);
    }
  }

  private finish(out: AnthropicStreamEvent[]): void {
    this.ensureStarted(out);
    this.blocks.finish(out);
    let stop = this.stop ?? { stop_reason: "end_turn" as AnthropicStopReason, stop_sequence: null };
    if (stop.stop_reason === "end_turn" && this.blocks.usedTools) stop = { stop_reason: "tool_use", stop_sequence: null };
    const usage: { output_tokens: number; input_tokens?: number } = { output_tokens: this.outputTokens };
    if (this.inputTokens !== undefined) usage.input_tokens = this.inputTokens;
    out.push({ type: "message_delta", delta: stop, usage });
    out.push({ type: "message_stop" });
    this.finished = true;
  }
}
