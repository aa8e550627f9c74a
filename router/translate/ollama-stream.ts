// OpenAI SSE (chat or completions) → Ollama NDJSON (docs/api.md, "streaming responses"): one JSON
// object per line with `done: false`, then a final `done: true` object with done_reason, counts and
// durations. Ollama delivers tool calls whole, so their argument fragments are assembled and sent
// in one line once the call is complete. Failures become an `{"error": "..."}` line.
import { ollamaDoneReason, ollamaStats, toolCallsToOllama } from "./ollama-response.js";
import { reasoningText } from "./reasoning.js";
import { SseDataDecoder } from "./sse.js";
import type { OpenAIChatChunk, OpenAIFinishReason, OpenAIUsage } from "./types/openai.js";

export interface OllamaStreamClock {
  /** Monotonic nanoseconds. */
  nowNs(): number;
  /** Wall clock for created_at. */
  date(): Date;
}

const systemClock: OllamaStreamClock = {
  nowNs: () => Number(process.hrtime.bigint()),
  date: () => new Date(),
};

export interface OllamaStreamOptions {
  kind: "chat" | "generate";
  /** The alias the client asked for. */
  model: string;
  clock?: OllamaStreamClock;
}

export class OllamaStreamTranslator {
  private readonly sse = new SseDataDecoder();
  private readonly clock: OllamaStreamClock;
  private readonly startNs: number;
  private firstTokenNs: number | undefined;
  private finished = false;
  private sawFinish = false;
  private finish: OpenAIFinishReason | null = null;
  private usage: OpenAIUsage | undefined;
  private readonly tools = new Map<number, { name: string; args: string }>();
  private lastToolKey = 0;

  constructor(private readonly opts: OllamaStreamOptions) {
    this.clock = opts.clock ?? systemClock;
    this.startNs = this.clock.nowNs();
  }

  get done(): boolean {
    return this.finished;
  }

  push(chunk: string | Buffer): string {
    const out: object[] = [];
    for (const data of this.sse.push(chunk)) this.handle(data, out);
    return lines(out);
  }

  end(): string {
    const out: object[] = [];
    for (const data of this.sse.end()) this.handle(data, out);
    if (!this.finished) {
      if (this.sawFinish) this.complete(out);
      else this.fail("the backend stream ended before the response was complete", out);
    }
    return lines(out);
  }

  error(message: string): string {
    const out: object[] = [];
    this.fail(message, out);
    return lines(out);
  }

  private fail(message: string, out: object[]): void {
    if (this.finished) return;
    this.finished = true;
    out.push({ error: message });
  }

  private head(): { model: string; created_at: string } {
    return { model: this.opts.model, created_at: this.clock.date().toISOString() };
  }

  private piece(content: string, thinking: string): object {
    if (this.opts.kind === "chat") {
      const message: Record<string, string> = { role: "assistant", content };
      if (thinking) message.thinking = thinking;
      return { ...this.head(), message, done: false };
    }
    return thinking ? { ...this.head(), response: content, thinking, done: false } : { ...this.head(), response: content, done: false };
  }

  private handle(data: string, out: object[]): void {
    if (this.finished) return;
    if (data.trim() === "[DONE]") {
      this.complete(out);
      return;
    }
    let chunk: OpenAIChatChunk;
    try {
      chunk = JSON.parse(data) as OpenAIChatChunk;
    } catch {
      this.fail("the backend sent a malformed stream chunk", out);
      return;
    }
    if (!chunk || typeof chunk !== "object") return;
    if (chunk.error !== undefined || chunk.object === "error") {
      const e = chunk.error;
      this.fail(typeof e === "string" ? e : (e?.message ?? chunk.message ?? "the backend failed mid-stream"), out);
      return;
    }
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices?.find((c) => (c.index ?? 0) === 0);
    if (!choice) return;
    const thinking = reasoningText(choice.delta);
    const content = (choice.delta?.content ?? "") + (choice.text ?? "");
    if (thinking || content) {
      this.firstTokenNs ??= this.clock.nowNs();
      out.push(this.piece(content, thinking));
    }
    for (const tc of choice.delta?.tool_calls ?? []) {
      this.firstTokenNs ??= this.clock.nowNs();
      const key = typeof tc.index === "number" ? tc.index : tc.function?.name ? this.tools.size : this.lastToolKey;
      this.lastToolKey = key;
      const st = this.tools.get(key) ?? { name: "", args: "" };
      if (tc.function?.name && !st.name) st.name = tc.function.name;
      st.args += tc.function?.arguments ?? "";
      this.tools.set(key, st);
    }
    if (choice.finish_reason) {
      this.sawFinish = true;
      this.finish = choice.finish_reason;
      this.flushTools(out);
    }
  }

  private flushTools(out: object[]): void {
    if (!this.tools.size || this.opts.kind !== "chat") return;
    const calls = [...this.tools.entries()].sort(([a], [b]) => a - b).map(([, t]) => ({ function: { name: t.name, arguments: t.args } }));
    this.tools.clear();
    out.push({ ...this.head(), message: { role: "assistant", content: "", tool_calls: toolCallsToOllama(calls) }, done: false });
  }

  private complete(out: object[]): void {
    this.flushTools(out);
    const now = this.clock.nowNs();
    const stats = ollamaStats(this.usage, {
      totalNs: now - this.startNs,
      promptEvalNs: (this.firstTokenNs ?? now) - this.startNs,
    });
    const tail = this.opts.kind === "chat" ? { message: { role: "assistant", content: "" } } : { response: "" };
    out.push({ ...this.head(), ...tail, done: true, done_reason: ollamaDoneReason(this.finish), ...stats });
    this.finished = true;
  }
}

function lines(objs: object[]): string {
  return objs.map((o) => JSON.stringify(o) + "\n").join("");
}
