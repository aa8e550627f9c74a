// Streams that go wrong after they started, and streams that wait long for their first byte, in the
// Anthropic and Ollama dialects: a backend that stalls (idle timeout) or dies mid-answer gives the
// client an in-band error in its own framing and then the end of the stream; a cold Ollama load
// longer than timeouts.keepAliveMs gets keep-alives (Anthropic `ping`, an empty Ollama chunk).
import { APIError } from "@anthropic-ai/sdk";
import { beforeAll, describe, expect, it } from "vitest";
import type { FakeEngine } from "../../../tools/fakes/index.js";
import { config, facesFixture, sseEvents, untilModelsKnown, type Running } from "./harness.js";

const longText = "one two three four five six seven eight nine ten ".repeat(8).trim();

describe("mid-stream failures and keep-alives", () => {
  const engines: Record<string, FakeEngine> = {};
  let r: Running;
  const fx = facesFixture();

  beforeAll(async () => {
    const reply = () => ({ content: longText });
    // One backend per case, so one case's failure (and its passive ejection) never touches another.
    engines.vllm = await fx.fake({ engine: "vllm", models: ["m"], reply });
    engines.vllmNative = await fx.fake({ engine: "vllm", models: ["m"], reply, anthropic: true });
    engines.vllmDies = await fx.fake({ engine: "vllm", models: ["m"], reply, chunkDelayMs: 20 });
    engines.ollamaWarm = await fx.fake({ engine: "ollama", models: ["m"], loaded: ["m"], reply });
    engines.vllmOllama = await fx.fake({ engine: "vllm", models: ["m"], reply });
    engines.ollamaCold = await fx.fake({ engine: "ollama", models: ["a", "b"], loaded: [], loadDelayMs: 400, reply, anthropic: true });
    const backends = Object.fromEntries(
      Object.entries(engines).map(([name, e]) => [
        name,
        { engine: e.options.engine, url: e.url, ...(name === "vllmNative" ? { anthropic: "native" as const } : {}) },
      ]),
    );
    r = await fx.router(
      config({
        backends,
        aliases: {
          translated: { targets: [{ backend: "vllm", model: "m" }] },
          native: { targets: [{ backend: "vllmNative", model: "m" }] },
          dies: { targets: [{ backend: "vllmDies", model: "m" }] },
          "ollama-native": { targets: [{ backend: "ollamaWarm", model: "m" }] },
          "ollama-translated": { targets: [{ backend: "vllmOllama", model: "m" }] },
          "cold-a": { targets: [{ backend: "ollamaCold", model: "a" }] },
          "cold-b": { targets: [{ backend: "ollamaCold", model: "b" }] },
        },
        // Small on purpose: a stalled backend is cut quickly, a cold load outlasts several keep-alive intervals.
        timeouts: { idleMs: 300, keepAliveMs: 40 },
      }),
    );
    await untilModelsKnown(r);
  });

  async function rawStream(path: string, body: unknown): Promise<{ status: number; text: string }> {
    const res = await fetch(r.url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: res.status, text: await res.text() };
  }

  const ask = { max_tokens: 256, stream: true, messages: [{ role: "user" as const, content: "Count to ten." }] };

  describe.each([
    ["translated (vLLM chat completions)", "translated", "vllm"],
    ["passthrough (vLLM /v1/messages)", "native", "vllmNative"],
  ])("Anthropic face, %s, backend stalls after the stream started", (_name, alias, backend) => {
    it("sends an `error` event last, then closes; the SDK raises it", async () => {
      engines[backend]!.faults.set({ mode: "stall-after-headers" });
      try {
        const { status, text } = await rawStream("/v1/messages", { model: alias, ...ask });
        expect(status).toBe(200);
        const events = sseEvents(text).filter((e) => e.event !== "ping");
        expect(events[0]?.event).toBe("message_start");
        const last = events.at(-1);
        expect(last?.event).toBe("error");
        expect(last?.data).toMatchObject({ type: "error", error: { type: "api_error" } });
        expect(String((last?.data.error as { message: string }).message)).toMatch(/no data from the backend/);
        expect(events.some((e) => e.event === "message_stop")).toBe(false);

        const stream = r.anthropic().messages.stream({ model: alias, ...ask });
        const err = await stream.finalMessage().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(APIError);
        expect(err).toMatchObject({ type: "api_error" });
      } finally {
        engines[backend]!.faults.clear();
      }
    });
  });

  it("Anthropic face: a backend that dies mid-answer gives an `error` event after the text so far", async () => {
    const res = await fetch(`${r.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "dies", ...ask }),
    });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    // Kill the engine once some text has reached the client: the answer has started for sure.
    while (!text.includes("text_delta")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    await engines.vllmDies!.kill();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const events = sseEvents(text).filter((e) => e.event !== "ping");
    expect(events.some((e) => e.event === "content_block_delta")).toBe(true);
    expect(events.at(-1)).toMatchObject({ event: "error", data: { type: "error", error: { type: "api_error" } } });
    expect(events.some((e) => e.event === "message_stop")).toBe(false);
    await engines.vllmDies!.restart();
  });

  describe.each([
    ["passthrough (Ollama /api/chat)", "ollama-native", "ollamaWarm"],
    ["translated (vLLM chat completions)", "ollama-translated", "vllmOllama"],
  ])("Ollama face, %s, backend stalls after the stream started", (_name, alias, backend) => {
    it('ends with an {"error"} line, then closes; the ollama client raises it', async () => {
      engines[backend]!.faults.set({ mode: "stall-after-headers" });
      try {
        const { status, text } = await rawStream("/api/chat", { model: alias, messages: ask.messages });
        expect(status).toBe(200);
        const lines = text
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(lines.length).toBeGreaterThan(1);
        expect(lines.at(-1)).toEqual({ error: expect.stringMatching(/no data from the backend/) as unknown });
        expect(lines.some((l) => l.done === true)).toBe(false);

        const err = await (async () => {
          for await (const part of await r.ollama().chat({ model: alias, messages: ask.messages, stream: true })) void part;
        })().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).message).toMatch(/failed mid-response/);
      } finally {
        engines[backend]!.faults.clear();
      }
    });
  });

  it("Anthropic face: `ping` events keep the stream alive while a cold Ollama loads, then the answer is whole", async () => {
    const { status, text } = await rawStream("/v1/messages", { model: "cold-a", ...ask });
    expect(status).toBe(200);
    const events = sseEvents(text);
    const start = events.findIndex((e) => e.event === "message_start");
    expect(start).toBeGreaterThan(0);
    expect(events.slice(0, start).every((e) => e.event === "ping")).toBe(true);
    expect(events.at(-1)?.event).toBe("message_stop");
    const streamed = events
      .filter((e) => e.event === "content_block_delta")
      .map((e) => (e.data.delta as { text?: string }).text ?? "")
      .join("");
    expect(streamed).toBe(longText);
  });

  it("Anthropic face through the SDK: pings during a cold load are invisible in the final message", async () => {
    // Model b is cold (a is the one loaded, and only one fits): this request waits for a load too.
    const m = await r
      .anthropic()
      .messages.stream({ model: "cold-b", ...ask })
      .finalMessage();
    expect(m.content).toMatchObject([{ type: "text", text: longText }]);
    expect(m.stop_reason).toBe("end_turn");
  });

  it("Ollama face: empty chunks keep the stream alive while a cold Ollama loads, then the answer is whole", async () => {
    // Whichever of a/b is loaded now, asking for the other one is a cold load.
    const alias = engines.ollamaCold!.loadedModels().some((m) => m.startsWith("a")) ? "cold-b" : "cold-a";
    const { status, text } = await rawStream("/api/chat", { model: alias, messages: ask.messages });
    expect(status).toBe(200);
    const lines = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { model: string; message: { content: string }; done: boolean });
    expect(lines[0]).toMatchObject({ model: alias, message: { role: "assistant", content: "" }, done: false });
    expect(lines.at(-1)?.done).toBe(true);
    expect(lines.map((l) => l.message.content).join("")).toBe(longText);
  });
});
