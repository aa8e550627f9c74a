import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAIToAnthropic } from "../../../router/translate/anthropic-response.js";
import { AnthropicStreamTranslator } from "../../../router/translate/anthropic-stream.js";
import { chunk, parseAnthropicSse, sseBody, shape, usageChunk } from "./openai-sse.js";

const fixed = { model: "claude-sonnet-4-5", id: "msg_test", toolUseId: () => "toolu_fixed" };

// Reasoning (under both field names), multi-byte text, then two tool calls whose arguments arrive in fragments.
const interleaved = sseBody([
  chunk({ role: "assistant", content: "" }),
  chunk({ reasoning: "Let me " }),
  chunk({ reasoning_content: "think." }),
  chunk({ content: "Héllo 🌍" }),
  chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "read_file", arguments: "" } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"path":' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '"/tmp/ü.txt"}' } }] }),
  chunk({ tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "grep", arguments: '{"q":' } }] }),
  chunk({ tool_calls: [{ index: 1, function: { arguments: '"x"}' } }] }),
  chunk({}, "tool_calls"),
  usageChunk(12, 34),
]);

function translateAll(body: string | Buffer, pieces?: Buffer[]): string {
  const t = new AnthropicStreamTranslator(fixed);
  let out = "";
  for (const p of pieces ?? [Buffer.from(body)]) out += t.push(p);
  return out + t.end();
}

describe("AnthropicStreamTranslator", () => {
  it("emits the exact event sequence for reasoning, text and two tool calls", () => {
    expect(shape(parseAnthropicSse(translateAll(interleaved)))).toEqual([
      "message_start",
      "start 0 thinking",
      'delta 0 thinking_delta "Let me "',
      'delta 0 thinking_delta "think."',
      "stop 0",
      "start 1 text",
      'delta 1 text_delta "Héllo 🌍"',
      "stop 1",
      "start 2 tool_use read_file call_a",
      'delta 2 input_json_delta "{\\"path\\":"',
      'delta 2 input_json_delta "\\"/tmp/ü.txt\\"}"',
      "stop 2",
      "start 3 tool_use grep call_b",
      'delta 3 input_json_delta "{\\"q\\":"',
      'delta 3 input_json_delta "\\"x\\"}"',
      "stop 3",
      'message_delta tool_use {"output_tokens":34,"input_tokens":12}',
      "message_stop",
    ]);
  });

  it("produces identical output whatever byte offset the upstream body is split at", () => {
    const bytes = Buffer.from(interleaved);
    const whole = translateAll(bytes);
    for (let i = 1; i < bytes.length; i++) {
      const two = translateAll(bytes, [bytes.subarray(0, i), bytes.subarray(i)]);
      expect(two, `split at ${i}`).toBe(whole);
    }
    // three pieces, second cut walking behind the first
    for (let i = 1; i < bytes.length - 7; i += 7) {
      const j = i + 5;
      expect(translateAll(bytes, [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)])).toBe(whole);
    }
  });

  it("accepts CRLF framing and SSE comments", () => {
    const crlf = interleaved.replace(/\n/g, "\r\n");
    expect(translateAll(": keep-alive\r\n\r\n" + crlf)).toBe(translateAll(interleaved));
  });

  it("holds argument fragments that arrive before the tool's name and sends them once it starts", () => {
    const body = sseBody([
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] }),
      chunk({ tool_calls: [{ index: 0, id: "c1", function: { name: "f", arguments: ":1}" } }] }),
      chunk({}, "tool_calls"),
    ]);
    expect(shape(parseAnthropicSse(translateAll(body)))).toEqual([
      "message_start",
      "start 0 tool_use f c1",
      // the held fragment and the one that came with the name go out together, in order
      'delta 0 input_json_delta "{\\"a\\":1}"',
      "stop 0",
      'message_delta tool_use {"output_tokens":0}',
      "message_stop",
    ]);
  });

  it("delivers a whole tool call sent in one delta without an index (Ollama style), with a generated id", () => {
    const body = sseBody([chunk({ tool_calls: [{ function: { name: "f", arguments: '{"x":1}' } }] }), chunk({}, "stop")]);
    expect(shape(parseAnthropicSse(translateAll(body)))).toEqual([
      "message_start",
      "start 0 tool_use f toolu_fixed",
      'delta 0 input_json_delta "{\\"x\\":1}"',
      "stop 0",
      'message_delta tool_use {"output_tokens":0}',
      "message_stop",
    ]);
  });

  it("maps finish reasons, including a stop sequence vLLM reports in stop_reason", () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["stop", {}, "end_turn"],
      ["length", {}, "max_tokens"],
      ["stop", { stop_reason: "END" }, "stop_sequence"],
      ["stop", { stop_reason: "OTHER" }, "end_turn"],
    ];
    for (const [finish, extra, expected] of cases) {
      const t = new AnthropicStreamTranslator({ ...fixed, stopSequences: ["END"] });
      const ev = parseAnthropicSse(t.push(sseBody([chunk({ content: "hi" }), chunk({}, finish, extra)])) + t.end());
      const md = ev.find((e) => e.event === "message_delta");
      expect((md?.data.delta as Record<string, unknown>).stop_reason).toBe(expected);
      if (expected === "stop_sequence") expect((md?.data.delta as Record<string, unknown>).stop_sequence).toBe("END");
    }
  });

  it("turns a mid-stream engine error into one in-band error event and ignores what follows", () => {
    const t = new AnthropicStreamTranslator(fixed);
    const out = t.push(sseBody([chunk({ content: "par" }), { error: { message: "CUDA out of memory" } }, chunk({ content: "tial" })]));
    expect(shape(parseAnthropicSse(out + t.end()))).toEqual([
      "message_start",
      "start 0 text",
      'delta 0 text_delta "par"',
      'error {"type":"api_error","message":"CUDA out of memory"}',
    ]);
    expect(t.done).toBe(true);
  });

  it("reports a body that ends before any finish as an error, never as a completed message", () => {
    const t = new AnthropicStreamTranslator(fixed);
    const ev = shape(parseAnthropicSse(t.push(sseBody([chunk({ content: "cut" })], false)) + t.end()));
    expect(ev.at(-1)).toMatch(/^error .*api_error/);
    expect(ev).not.toContain("message_stop");
  });

  it("finishes normally when the finish chunk came but [DONE] did not", () => {
    const t = new AnthropicStreamTranslator(fixed);
    const ev = shape(parseAnthropicSse(t.push(sseBody([chunk({ content: "ok" }, "stop")], false)) + t.end()));
    expect(ev.slice(-2)).toEqual(['message_delta end_turn {"output_tokens":0}', "message_stop"]);
  });

  it("pings with message_start first, and error() uses the given type", () => {
    const t = new AnthropicStreamTranslator({ ...fixed, inputTokens: 77 });
    const first = parseAnthropicSse(t.ping());
    expect(first.map((e) => e.event)).toEqual(["message_start", "ping"]);
    expect(((first[0]?.data.message as Record<string, unknown>).usage as Record<string, unknown>).input_tokens).toBe(77);
    expect(parseAnthropicSse(t.ping()).map((e) => e.event)).toEqual(["ping"]);
    expect(shape(parseAnthropicSse(t.error("busy", "overloaded_error")))).toEqual(['error {"type":"overloaded_error","message":"busy"}']);
    expect(t.ping()).toBe("");
    expect(t.error("again")).toBe("");
  });

  it("forwards a large argument payload in many fragments without losing a byte", () => {
    const args = JSON.stringify({ content: "αβγ—".repeat(20_000) + '"quoted"\n', n: 1 });
    const frags: string[] = [];
    for (let i = 0; i < args.length; i += 97) frags.push(args.slice(i, i + 97));
    const body = sseBody([
      chunk({ tool_calls: [{ index: 0, id: "w", function: { name: "write", arguments: "" } }] }),
      ...frags.map((f) => chunk({ tool_calls: [{ index: 0, function: { arguments: f } }] })),
      chunk({}, "tool_calls"),
    ]);
    const ev = parseAnthropicSse(translateAll(body));
    const joined = ev
      .filter((e) => e.event === "content_block_delta")
      .map((e) => (e.data.delta as Record<string, string>).partial_json)
      .join("");
    expect(joined).toBe(args);
  });
});

describe("AnthropicStreamTranslator through the official SDK", () => {
  let server: Server;
  let body = "";
  let client: Anthropic;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": body.startsWith("{") ? "application/json" : "text/event-stream" });
      // Write in small slices so the SDK's own parser sees events split across reads.
      const bytes = Buffer.from(body);
      for (let i = 0; i < bytes.length; i += 13) res.write(bytes.subarray(i, i + 13));
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    client = new Anthropic({ apiKey: "test-key", baseURL: `http://127.0.0.1:${port}`, maxRetries: 0 });
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("accumulates a final message equal to the backend's content, tool arguments included", async () => {
    body = translateAll(interleaved);
    const stream = client.messages.stream({ model: "claude-sonnet-4-5", max_tokens: 100, messages: [{ role: "user", content: "hi" }] });
    const raw: string[] = [];
    stream.on("inputJson", (partial) => raw.push(partial));
    const msg = await stream.finalMessage();
    expect(msg.content).toEqual([
      { type: "thinking", thinking: "Let me think.", signature: "" },
      { type: "text", text: "Héllo 🌍" },
      { type: "tool_use", id: "call_a", name: "read_file", input: { path: "/tmp/ü.txt" } },
      { type: "tool_use", id: "call_b", name: "grep", input: { q: "x" } },
    ]);
    expect(raw.join("")).toBe('{"path":"/tmp/ü.txt"}{"q":"x"}');
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.usage.input_tokens).toBe(12);
    expect(msg.usage.output_tokens).toBe(34);
  });

  it("gives the non-streaming client the same message from a translated completion", async () => {
    body = JSON.stringify(
      openAIToAnthropic(
        {
          choices: [
            {
              message: {
                content: "Héllo 🌍",
                reasoning: "Let me think.",
                tool_calls: [{ id: "call_a", type: "function", function: { name: "read_file", arguments: '{"path":"/tmp/ü.txt"}' } }],
              },
              finish_reason: "tool_calls",
            },
          ],
          usage: { prompt_tokens: 12, completion_tokens: 34 },
        },
        { model: "claude-sonnet-4-5" },
      ),
    );
    const msg = await client.messages.create({ model: "claude-sonnet-4-5", max_tokens: 100, messages: [{ role: "user", content: "hi" }] });
    expect(msg.content).toEqual([
      { type: "thinking", thinking: "Let me think.", signature: "" },
      { type: "text", text: "Héllo 🌍" },
      { type: "tool_use", id: "call_a", name: "read_file", input: { path: "/tmp/ü.txt" } },
    ]);
    expect(msg.stop_reason).toBe("tool_use");
  });

  it("surfaces an in-band error event as an SDK error", async () => {
    const t = new AnthropicStreamTranslator(fixed);
    body = t.push(sseBody([chunk({ content: "x" })], false)) + t.error("Overloaded", "overloaded_error");
    const stream = client.messages.stream({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "hi" }] });
    await expect(stream.finalMessage()).rejects.toThrow(/Overloaded/);
  });
});
