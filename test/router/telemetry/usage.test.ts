// UsageMeter (router/telemetry/usage.ts) reads what each engine reports, from answers as the engines
// send them, whatever the chunk boundaries; it never makes a number up.
import { describe, expect, it } from "vitest";
import { UsageMeter, type Usage, type UsageDialect } from "../../../router/telemetry/usage.js";

const sse = (...events: unknown[]): string => events.map((e) => `data: ${typeof e === "string" ? e : JSON.stringify(e)}\n\n`).join("");
const ndjson = (...lines: unknown[]): string => lines.map((l) => JSON.stringify(l) + "\n").join("");

// Answers in each engine's framing, their usage as the engines' documentation shows it.
const ANSWERS: [string, string, Usage, UsageDialect][] = [
  [
    "vLLM chat stream with include_usage and prompt_tokens_details",
    sse(
      { id: "c1", object: "chat.completion.chunk", model: "m", choices: [{ index: 0, delta: { role: "assistant", content: "" } }] },
      { id: "c1", object: "chat.completion.chunk", model: "m", choices: [{ index: 0, delta: { content: "usage" } }] },
      { id: "c1", object: "chat.completion.chunk", model: "m", choices: [{ index: 0, delta: { content: "" }, finish_reason: "stop" }] },
      {
        id: "c1",
        object: "chat.completion.chunk",
        model: "m",
        choices: [],
        usage: { prompt_tokens: 150383, completion_tokens: 304, total_tokens: 150687, prompt_tokens_details: { cached_tokens: 149936 } },
      },
      "[DONE]",
    ),
    { prompt: 150383, completion: 304, cached: 149936 },
    "openai",
  ],
  [
    "vLLM whole chat answer without prompt details",
    JSON.stringify({
      id: "c2",
      object: "chat.completion",
      model: "m",
      choices: [{ index: 0, message: { role: "assistant", content: 'a "usage": {"prompt_tokens": 9}' }, finish_reason: "stop" }],
      usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, prompt_tokens_details: null },
    }),
    { prompt: 12, completion: 5 },
    "openai",
  ],
  [
    "llama.cpp stream: timings on the last chunk, usage after it",
    sse(
      { choices: [{ index: 0, delta: { content: "hi" } }], object: "chat.completion.chunk" },
      {
        choices: [{ index: 0, delta: {}, finish_reason: "stop" }],
        object: "chat.completion.chunk",
        timings: { cache_n: 30, prompt_n: 10, prompt_ms: 5, predicted_n: 7, predicted_ms: 70, predicted_per_second: 100 },
      },
      { choices: [], object: "chat.completion.chunk", usage: { completion_tokens: 7, prompt_tokens: 40, total_tokens: 47 } },
      "[DONE]",
    ),
    { prompt: 40, completion: 7, cached: 30, tokensPerSecond: 100, prefill: { tokens: 10, seconds: 0.005 } },
    "llamacpp",
  ],
  [
    "llama.cpp whole answer with timings only",
    JSON.stringify({ choices: [{ index: 0, message: { content: "x" } }], timings: { cache_n: 0, prompt_n: 8, predicted_n: 3, predicted_per_second: 42.5 } }),
    { prompt: 8, completion: 3, cached: 0, tokensPerSecond: 42.5 },
    "llamacpp",
  ],
  [
    "Ollama /api/chat stream: the done line",
    ndjson(
      { model: "m", message: { role: "assistant", content: "done" }, done: false },
      {
        model: "m",
        message: { role: "assistant", content: "" },
        done: true,
        done_reason: "stop",
        total_duration: 174560334,
        load_duration: 101397084,
        prompt_eval_count: 11,
        prompt_eval_duration: 13074791,
        eval_count: 18,
        eval_duration: 52479709,
      },
    ),
    { prompt: 11, completion: 18, tokensPerSecond: 18 / 0.052479709, loadSeconds: 0.101397084, prefill: { tokens: 11, seconds: 0.013074791 } },
    "ollama",
  ],
  [
    "Ollama whole /api/generate answer with prompt_eval_cached_count",
    JSON.stringify({
      model: "m",
      response: "Hello",
      done: true,
      load_duration: 5,
      prompt_eval_count: 11,
      prompt_eval_cached_count: 8,
      eval_count: 18,
      eval_duration: 1e9,
    }),
    { prompt: 11, completion: 18, cached: 8, tokensPerSecond: 18, loadSeconds: 5e-9 },
    "ollama",
  ],
  [
    "Anthropic Messages stream (Ollama: an estimate first, the real count in message_delta)",
    `event: message_start\n${sse({ type: "message_start", message: { id: "m1", usage: { input_tokens: 1, output_tokens: 0 } } })}` +
      `event: content_block_delta\n${sse({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "hi" } })}` +
      `event: message_delta\n${sse({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { input_tokens: 21, output_tokens: 9, cache_read_input_tokens: 16 } })}` +
      `event: message_stop\n${sse({ type: "message_stop" })}`,
    { prompt: 21, completion: 9, cached: 16 },
    "openai",
  ],
  [
    "OpenAI embeddings",
    JSON.stringify({ object: "list", data: [{ embedding: [0.1, 0.2] }], usage: { prompt_tokens: 4, total_tokens: 4 } }),
    { prompt: 4 },
    "openai",
  ],
];

function meterOf(parts: readonly Buffer[], dialect: UsageDialect = "openai"): UsageMeter {
  const m = new UsageMeter(dialect);
  parts.forEach((p, i) => m.push(p, i + 1));
  m.end();
  return m;
}

describe("UsageMeter", () => {
  it.each(ANSWERS)("%s: in one chunk", (_name, body, usage, dialect) => {
    const m = meterOf([Buffer.from(body)], dialect);
    expect(m.usage).toEqual(usage);
    expect(m.known).toBe(true);
  });

  it.each(ANSWERS)("%s: split at every byte boundary in two", (_name, body, usage, dialect) => {
    const bytes = Buffer.from(body);
    for (let at = 1; at < bytes.length; at++) expect(meterOf([bytes.subarray(0, at), bytes.subarray(at)], dialect).usage, `split at ${at}`).toEqual(usage);
  });

  it.each(ANSWERS)("%s: one byte at a time", (_name, body, usage, dialect) => {
    const bytes = Buffer.from(body);
    expect(
      meterOf(
        [...bytes].map((b) => Buffer.from([b])),
        dialect,
      ).usage,
    ).toEqual(usage);
  });

  it("a stream cut before its usage reports nothing", () => {
    const [, body] = ANSWERS[0] as [string, string, Usage, UsageDialect];
    const cut = body.slice(0, body.indexOf('"usage"') - 20);
    const m = meterOf([Buffer.from(cut)]);
    expect(m.known).toBe(false);
    expect(m.usage).toEqual({});
  });

  it("a usage object cut in its middle reports nothing", () => {
    const m = meterOf([Buffer.from('data: {"choices":[],"usage":{"prompt_tokens":12,"completion_to')]);
    expect(m.known).toBe(false);
  });

  it("Ollama lines that are not done, and strings that read like keys, report nothing", () => {
    const m = meterOf(
      [Buffer.from(ndjson({ message: { content: '"done": true, "eval_count": 5' }, done: false }, { message: { content: "usage" }, done: false }))],
      "ollama",
    );
    expect(m.usage).toEqual({});
  });

  it("a whole answer longer than the kept tail still has its usage read (it comes last)", () => {
    const big = JSON.stringify({ choices: [{ message: { content: "x".repeat(300_000) } }], usage: { prompt_tokens: 3, completion_tokens: 300000 } });
    const bytes = Buffer.from(big);
    const parts: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 16_384) parts.push(bytes.subarray(i, i + 16_384));
    expect(meterOf(parts).usage).toEqual({ prompt: 3, completion: 300000 });
  });

  it("times the first and the last chunk", () => {
    const m = new UsageMeter();
    m.push(Buffer.from("data: {}\n\n"), 10);
    m.push(Buffer.from("data: {}\n\n"), 25);
    expect([m.firstAt, m.lastAt]).toEqual([10, 25]);
  });
});
