// What an engine says an answer cost, read from the bytes the relay passes on anyway: no copy of the
// body, no parse of every chunk. Each chunk is searched for the few keys that carry usage; only the
// object (or line) around a hit is parsed. What the engines send:
// - OpenAI-style (vLLM, llama.cpp, Ollama's /v1, generic): `usage` {prompt_tokens, completion_tokens,
//   prompt_tokens_details.cached_tokens}, in a whole answer, or in a stream's last chunk when the
//   request set stream_options.include_usage (docs.vllm.ai, OpenAI-compatible server; vLLM fills
//   cached_tokens with --enable-prompt-tokens-details);
// - llama.cpp also `timings` {prompt_n, prompt_ms, cache_n, predicted_n, predicted_per_second} on its last chunk
//   and in a whole answer (ggml-org/llama.cpp tools/server/README.md);
// - Ollama native: the line with `"done":true` holds prompt_eval_count, eval_count, and
//   prompt_eval_duration, eval_duration and load_duration in ns, and prompt_eval_cached_count in newer versions (docs.ollama.com/api/usage);
// - Anthropic Messages (an engine's own /v1/messages): `usage` {input_tokens, output_tokens,
//   cache_read_input_tokens} in message_start and again, final, in message_delta (Ollama estimates
//   input_tokens in message_start and reports the real count in message_delta; scripts/e2e/FACTS.md).
// A later report of a field replaces an earlier one. Numbers are never estimated here.
import { numberAt, parseObject, valueAfter } from "./json-scan.js";

/** What the engine reported for one answer; absent fields were not reported. */
export interface Usage {
  prompt?: number;
  completion?: number;
  /** Prompt tokens the engine served from its cache. */
  cached?: number;
  /** The engine's own generation speed (Ollama eval_count / eval_duration, llama.cpp predicted_per_second). */
  tokensPerSecond?: number;
  /** Ollama's load_duration, in seconds (it includes time spent queued inside Ollama). */
  loadSeconds?: number;
  /**
   * How long the engine took over the prompt, and for how many tokens: Ollama's prompt_eval_duration
   * with prompt_eval_count (the whole prompt, though only what its cache lacked was evaluated:
   * scripts/e2e/FACTS.md), llama.cpp's timings.prompt_ms with prompt_n (the tokens evaluated).
   */
  prefill?: { tokens: number; seconds: number };
}

/**
 * Which keys an answer can carry, by the backend's dialect: OpenAI-style bodies (and Anthropic
 * Messages) `usage`, llama.cpp also `timings`, Ollama's native API the `done` line. Only those are
 * searched for.
 */
export type UsageDialect = "openai" | "llamacpp" | "ollama";
const KEYS: Record<UsageDialect, readonly Buffer[]> = {
  openai: [Buffer.from('"usage"')],
  llamacpp: [Buffer.from('"usage"'), Buffer.from('"timings"')],
  ollama: [Buffer.from('"done"')],
};
const OLLAMA = {
  prompt: '"prompt_eval_count"',
  completion: '"eval_count"',
  cached: '"prompt_eval_cached_count"',
  evalNs: '"eval_duration"',
  loadNs: '"load_duration"',
  promptNs: '"prompt_eval_duration"',
} as const;
const NL = 0x0a;
/** Of a line longer than this (a whole answer without line breaks) only its end is kept: usage comes last in every engine's answer. */
const TAIL_CAP = 64 * 1024;

export class UsageMeter {
  readonly usage: Usage = {};
  /** performance.now() of the first and the last chunk seen. */
  firstAt = 0;
  lastAt = 0;
  /** Bytes of a line not yet ended, kept by reference. */
  private open: Buffer[] = [];
  private openBytes = 0;
  private readonly keys: readonly Buffer[];

  constructor(private readonly dialect: UsageDialect = "openai") {
    this.keys = KEYS[dialect];
  }

  /** Whether the engine reported a token count. */
  get known(): boolean {
    return this.usage.prompt !== undefined || this.usage.completion !== undefined;
  }

  push(chunk: Buffer, now: number): void {
    if (this.firstAt === 0) this.firstAt = now;
    this.lastAt = now;
    let from = 0;
    if (this.open.length > 0) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) return this.hold(chunk);
      this.open.push(chunk.subarray(0, nl));
      this.inspect(Buffer.concat(this.open));
      this.open = [];
      this.openBytes = 0;
      from = nl + 1;
    }
    const last = chunk.lastIndexOf(NL);
    if (last >= from) this.scan(chunk, from, last);
    const rest = Math.max(from, last + 1);
    if (rest < chunk.length) this.hold(rest === 0 ? chunk : chunk.subarray(rest));
  }

  /** The body ended: a last line without a line break is read now. */
  end(): void {
    if (this.open.length === 0) return;
    const line = this.open.length === 1 ? (this.open[0] as Buffer) : Buffer.concat(this.open);
    this.open = [];
    this.openBytes = 0;
    this.inspect(line);
  }

  /** A whole body at once (an answer held before it was converted). */
  whole(body: Buffer | null, now: number): void {
    if (body === null) return;
    this.push(body, now);
    this.end();
  }

  private hold(piece: Buffer): void {
    this.open.push(piece);
    this.openBytes += piece.length;
    while (this.openBytes - (this.open[0]?.length ?? 0) >= TAIL_CAP && this.open.length > 1) this.openBytes -= (this.open.shift() as Buffer).length;
  }

  /** Complete lines between `from` and `to` (a line break): each line with a key is inspected once. */
  private scan(chunk: Buffer, from: number, to: number): void {
    let next = from;
    while (next < to) {
      let hit = -1;
      for (const k of this.keys) {
        const i = chunk.indexOf(k, next);
        if (i >= 0 && i < to && (hit < 0 || i < hit)) hit = i;
      }
      if (hit < 0) return;
      const start = chunk.lastIndexOf(NL, hit) + 1;
      const end = chunk.indexOf(NL, hit);
      this.inspect(chunk.subarray(Math.max(start, from), end));
      next = end + 1;
    }
  }

  /**
   * One line with a key in it, read as latin1 (one character a byte: the keys and numbers are ASCII,
   * and a split UTF-8 sequence elsewhere cannot matter), so every search after it stays in JavaScript.
   */
  private inspect(bytes: Buffer): void {
    if (this.dialect === "ollama") {
      const line = bytes.toString("latin1");
      const done = valueAfter(line, '"done"');
      if (done !== undefined && line.charCodeAt(done) === 0x74) this.ollama(line);
      return;
    }
    // Only from the first key on: the rest of a whole answer (its content) is never read.
    let from = -1;
    for (const k of this.keys) {
      const i = bytes.indexOf(k);
      if (i >= 0 && (from < 0 || i < from)) from = i;
    }
    if (from < 0) return;
    const line = bytes.toString("latin1", from);
    const usage = valueAfter(line, '"usage"');
    if (usage !== undefined && line.charCodeAt(usage) === 0x7b) this.openAIOrAnthropic(parseObject(line, usage));
    if (this.dialect !== "llamacpp") return;
    const timings = valueAfter(line, '"timings"');
    if (timings !== undefined && line.charCodeAt(timings) === 0x7b) this.llamacpp(parseObject(line, timings));
  }

  private openAIOrAnthropic(u: Record<string, unknown> | undefined): void {
    if (!u) return;
    const prompt = count(u.prompt_tokens) ?? count(u.input_tokens);
    const completion = count(u.completion_tokens) ?? count(u.output_tokens);
    const details = u.prompt_tokens_details;
    const cached =
      (typeof details === "object" && details !== null ? count((details as Record<string, unknown>).cached_tokens) : undefined) ??
      count(u.cache_read_input_tokens);
    this.set(prompt, completion, cached);
  }

  private llamacpp(t: Record<string, unknown> | undefined): void {
    if (!t) return;
    const cacheN = count(t.cache_n);
    const promptN = count(t.prompt_n);
    // prompt_n counts the tokens evaluated; cache_n those reused from the slot's cache. Usage, when
    // the same answer has it, says the same in OpenAI's words and is kept.
    if (this.usage.prompt === undefined && promptN !== undefined) this.usage.prompt = promptN + (cacheN ?? 0);
    if (this.usage.completion === undefined) this.usage.completion = count(t.predicted_n);
    if (cacheN !== undefined) this.usage.cached = cacheN;
    const promptMs = t.prompt_ms;
    if (promptN !== undefined && typeof promptMs === "number" && Number.isFinite(promptMs) && promptMs >= 0)
      this.usage.prefill = { tokens: promptN, seconds: promptMs / 1000 };
    const speed = t.predicted_per_second;
    if (typeof speed === "number" && Number.isFinite(speed) && speed > 0) this.usage.tokensPerSecond = speed;
  }

  /** The last line of an Ollama answer: its numbers are read by name, so a line kept only in part still counts. */
  private ollama(line: string): void {
    this.set(numberAt(line, OLLAMA.prompt), numberAt(line, OLLAMA.completion), numberAt(line, OLLAMA.cached));
    const evalNs = numberAt(line, OLLAMA.evalNs);
    const evals = this.usage.completion;
    if (evalNs !== undefined && evalNs > 0 && evals !== undefined && evals > 0) this.usage.tokensPerSecond = evals / (evalNs / 1e9);
    const loadNs = numberAt(line, OLLAMA.loadNs);
    if (loadNs !== undefined) this.usage.loadSeconds = loadNs / 1e9;
    const promptNs = numberAt(line, OLLAMA.promptNs);
    const prompt = this.usage.prompt;
    if (promptNs !== undefined && prompt !== undefined) this.usage.prefill = { tokens: prompt, seconds: promptNs / 1e9 };
  }

  private set(prompt: number | undefined, completion: number | undefined, cached: number | undefined): void {
    if (prompt !== undefined) this.usage.prompt = prompt;
    if (completion !== undefined) this.usage.completion = completion;
    if (cached !== undefined) this.usage.cached = cached;
  }
}

function count(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : undefined;
}
