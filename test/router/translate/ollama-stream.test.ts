import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Ollama } from "ollama";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OllamaStreamTranslator, type OllamaStreamClock } from "../../../router/translate/ollama-stream.js";
import { chunk, sseBody, usageChunk } from "./openai-sse.js";

/** A clock that advances one second per reading, so durations are exact. */
function steppingClock(): OllamaStreamClock {
  let t = 0;
  return { nowNs: () => (t += 1_000_000_000), date: () => new Date("2026-01-02T03:04:05.000Z") };
}

const body = sseBody([
  chunk({ role: "assistant", content: "" }),
  chunk({ reasoning: "th" }),
  chunk({ content: "Hé" }),
  chunk({ content: "llo" }),
  chunk({ tool_calls: [{ index: 0, id: "a", function: { name: "weather", arguments: '{"ci' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Oslo"}' } }] }),
  chunk({}, "tool_calls"),
  usageChunk(9, 4),
]);

function run(kind: "chat" | "generate", pieces: (string | Buffer)[]): string {
  const t = new OllamaStreamTranslator({ kind, model: "coder", clock: steppingClock() });
  return pieces.map((p) => t.push(p)).join("") + t.end();
}

describe("OllamaStreamTranslator", () => {
  it("emits NDJSON pieces, one whole tool call, and a final done line with counts and durations", () => {
    const lines = run("chat", [body])
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const head = { model: "coder", created_at: "2026-01-02T03:04:05.000Z" };
    expect(lines).toEqual([
      { ...head, message: { role: "assistant", content: "", thinking: "th" }, done: false },
      { ...head, message: { role: "assistant", content: "Hé" }, done: false },
      { ...head, message: { role: "assistant", content: "llo" }, done: false },
      { ...head, message: { role: "assistant", content: "", tool_calls: [{ function: { name: "weather", arguments: { city: "Oslo" } } }] }, done: false },
      {
        ...head,
        message: { role: "assistant", content: "" },
        done: true,
        done_reason: "stop",
        total_duration: 2_000_000_000,
        load_duration: 0,
        prompt_eval_count: 9,
        prompt_eval_duration: 1_000_000_000,
        eval_count: 4,
        eval_duration: 1_000_000_000,
      },
    ]);
  });

  it("is identical whatever byte offset the body is split at", () => {
    const bytes = Buffer.from(body);
    const whole = run("chat", [bytes]);
    for (let i = 1; i < bytes.length; i++) expect(run("chat", [bytes.subarray(0, i), bytes.subarray(i)]), `split at ${i}`).toBe(whole);
  });

  it("speaks /api/generate shape, including completions-style text chunks", () => {
    const gen = sseBody([{ choices: [{ index: 0, text: "abc", finish_reason: null }] }, { choices: [{ index: 0, text: "", finish_reason: "length" }] }]);
    const lines = run("generate", [gen])
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ response: "abc", done: false });
    expect(lines[1]).toMatchObject({ response: "", done: true, done_reason: "length" });
  });

  it("ends with an error line on a cut or failed stream", () => {
    expect(
      run("chat", [sseBody([chunk({ content: "x" })], false)])
        .trim()
        .split("\n")
        .at(-1),
    ).toBe(JSON.stringify({ error: "the backend stream ended before the response was complete" }));
    const t = new OllamaStreamTranslator({ kind: "chat", model: "m" });
    expect(t.push(`data: ${JSON.stringify({ object: "error", message: "model crashed" })}\n\n`)).toBe('{"error":"model crashed"}\n');
    expect(t.end()).toBe("");
  });
});

describe("OllamaStreamTranslator through the official ollama client", () => {
  let server: Server;
  let client: Ollama;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      const out = Buffer.from(run("chat", [body]));
      for (let i = 0; i < out.length; i += 11) res.write(out.subarray(i, i + 11));
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    client = new Ollama({ host: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("yields the backend's text, thinking and tool call", async () => {
    let content = "";
    let thinking = "";
    const calls: unknown[] = [];
    let last: { done?: boolean; eval_count?: number } = {};
    for await (const part of await client.chat({ model: "coder", messages: [{ role: "user", content: "hi" }], stream: true })) {
      content += part.message.content;
      thinking += part.message.thinking ?? "";
      calls.push(...(part.message.tool_calls ?? []));
      last = part;
    }
    expect(content).toBe("Héllo");
    expect(thinking).toBe("th");
    expect(calls).toEqual([{ function: { name: "weather", arguments: { city: "Oslo" } } }]);
    expect(last.done).toBe(true);
    expect(last.eval_count).toBe(4);
  });
});
