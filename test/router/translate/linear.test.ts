// Every stream transform is linear in its input: a long line that arrives in many chunks is searched
// once, not again with every chunk (a 10 MB line used to cost seconds of CPU on the event loop).
// Deterministic: instead of timing, the characters handed to the string searches (RegExp exec,
// indexOf, lastIndexOf, includes) are counted while a 256 KiB line passes in 1 KiB chunks; a transform
// that rescans what it holds searches ~128 times the line. scripts/long-lines measures time per MB.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NdjsonModelEcho, OpenAIModelEcho, SseModelEcho } from "../../../router/faces/echo-model.js";
import type { StreamTranslator } from "../../../router/faces/types.js";
import { AnthropicStreamTranslator } from "../../../router/translate/anthropic-stream.js";
import { OllamaStreamTranslator } from "../../../router/translate/ollama-stream.js";
import { OpenAIStreamAssembler } from "../../../router/translate/openai-assemble.js";
import { SseDataDecoder } from "../../../router/translate/sse.js";

const LINE = 256 * 1024;
const CHUNK = 1024;

let scanned = 0;
beforeEach(() => {
  scanned = 0;
  const exec = Object.getOwnPropertyDescriptor(RegExp.prototype, "exec")?.value as (this: RegExp, s: string) => RegExpExecArray | null;
  vi.spyOn(RegExp.prototype, "exec").mockImplementation(function (this: RegExp, s: string) {
    // A sticky search (what split() does at each position once exec is replaced) looks only at lastIndex.
    const from = this.global || this.sticky ? this.lastIndex : 0;
    const m = exec.call(this, s);
    scanned += this.sticky ? 1 + (m?.[0].length ?? 0) : s.length - from;
    return m;
  });
  for (const name of ["indexOf", "lastIndexOf", "includes"] as const) {
    const original = Object.getOwnPropertyDescriptor(String.prototype, name)?.value as (this: string, ...a: unknown[]) => unknown;
    vi.spyOn(String.prototype, name).mockImplementation(function (this: string, ...a: unknown[]) {
      scanned += this.length;
      return original.apply(this, a);
    } as never);
  }
});
afterEach(() => vi.restoreAllMocks());

/** An OpenAI SSE chunk whose content is `n` characters, as one line, then the end of the stream. */
function longEvent(n: number): string {
  const chunk = {
    id: "c",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: [{ index: 0, delta: { content: "x".repeat(n) }, finish_reason: null }],
  };
  const last = { ...chunk, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] };
  return `data: ${JSON.stringify(chunk)}\n\ndata: ${JSON.stringify(last)}\n\ndata: [DONE]\n\n`;
}

function anthropicEvent(n: number): string {
  const start = { type: "message_start", message: { id: "m", type: "message", role: "assistant", model: "m", content: [] } };
  return `event: message_start\ndata: ${JSON.stringify({ ...start, pad: "x".repeat(n) })}\n\n`;
}

function feed(text: string, push: (chunk: Buffer) => void): void {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += CHUNK) push(bytes.subarray(i, i + CHUNK));
}

const streams: [string, () => StreamTranslator, (n: number) => string][] = [
  ["OllamaStreamTranslator (SSE → NDJSON)", () => new OllamaStreamTranslator({ kind: "chat", model: "alias" }), longEvent],
  ["AnthropicStreamTranslator (SSE → Anthropic SSE)", () => new AnthropicStreamTranslator({ model: "alias" }), longEvent],
  ["NdjsonModelEcho", () => new NdjsonModelEcho("alias"), (n) => `${JSON.stringify({ model: "m", pad: "x".repeat(n) })}\n`],
  ["SseModelEcho", () => new SseModelEcho("alias"), anthropicEvent],
  ["OpenAIModelEcho", () => new OpenAIModelEcho("m", "alias"), longEvent],
];

describe("stream transforms search each byte a bounded number of times", () => {
  it.each(streams)("%s", (_name, make, text) => {
    const t = make();
    const input = text(LINE);
    let out = 0;
    feed(input, (c) => (out += t.push(c).length));
    out += t.end().length;
    expect(out).toBeGreaterThan(LINE);
    expect(scanned).toBeLessThan(8 * input.length);
  });

  it("SseDataDecoder", () => {
    const d = new SseDataDecoder();
    const input = longEvent(LINE);
    let events = 0;
    feed(input, (c) => (events += d.push(c).length));
    events += d.end().length;
    expect(events).toBe(3);
    expect(scanned).toBeLessThan(8 * input.length);
  });

  it("OpenAIStreamAssembler (a stream assembled into one answer)", () => {
    const a = new OpenAIStreamAssembler("chat");
    const input = longEvent(LINE);
    feed(input, (c) => a.push(c));
    const r = a.result();
    expect(r.ok).toBe(true);
    expect(scanned).toBeLessThan(8 * input.length);
  });
});
