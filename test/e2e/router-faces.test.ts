// The router's three faces, each with its official client, served by the real Ollama: OpenAI chat
// completions, Anthropic Messages (passed through to Ollama's own /v1/messages, and translated to
// chat completions when the backend says so) and Ollama's native chat and generate.

import Anthropic from "@anthropic-ai/sdk";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopAll } from "../../scripts/lib/child.js";
import type { OllamaServer } from "../../scripts/e2e/ollama-serve.js";
import { startEngine } from "./engine.js";
import { e2eEnv } from "./env.js";
import { eventually } from "./http.js";
import { engineRequests, FAKE, REAL, recordingFetch, routerStatus, backendStatus, startScenario, type Scenario } from "./router-setup.js";

const env = e2eEnv();

// An engine of this file's own: the shared one is left as the other files expect it (nothing loaded).
let engine: OllamaServer;

beforeAll(async () => {
  ({ server: engine } = await startEngine(env, "router-faces"));
});

afterAll(async () => {
  await stopAll();
});
const [alias] = env.models;
const user = (content: string) => [{ role: "user" as const, content }];

/**
 * Waits until the engine has logged one more request on `path` than `before`. The engine writes its
 * access line after the last byte is sent, so a test that counts lines must let the previous test's
 * line land first.
 */
async function engineLogged(path: string, before: number): Promise<void> {
  await eventually(`the engine to log ${path}`, () => Promise.resolve(engineRequests(engine.logFile, path) > before ? true : undefined), 10_000);
}

describe.sequential("through the router, served by the real Ollama", () => {
  let scenario: Scenario;
  let url: string;

  beforeAll(async () => {
    scenario = await startScenario(env, "router-faces", { ollamaUrl: engine.url });
    url = scenario.router.url;
    // `anthropic: auto` decides from the version the probe read.
    await eventually("the router to read the engine's version", async () => backendStatus(await routerStatus(url), REAL).version ?? undefined, 30_000);
    // The fake's first probe may finish after the engine's on a busy machine.
    await eventually(
      "the router to probe the fake",
      async () => (backendStatus(await routerStatus(url), FAKE).health !== "unknown" ? true : undefined),
      30_000,
    );
  });

  afterAll(async () => {
    await scenario.stop();
  });

  it("the router knows the engine as Ollama 0.17.4 and the fake as up", async () => {
    const status = await routerStatus(url);
    expect(backendStatus(status, REAL)).toMatchObject({ health: "up", version: "0.17.4" });
    expect(backendStatus(status, FAKE).health).toBe("up");
  });

  describe("OpenAI face (openai SDK)", () => {
    const client = (): OpenAI => new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });

    it("answers a chat completion", async () => {
      const before = engineRequests(engine.logFile, "/v1/chat/completions");
      const { data, response } = await client()
        .chat.completions.create({ model: alias, messages: user("hello"), max_tokens: 6 })
        .withResponse();
      expect(response.headers.get("x-router-backend")).toBe(REAL);
      expect(data.object).toBe("chat.completion");
      expect(data.model).toBe(alias);
      expect(data.choices[0]?.finish_reason).toBe("length");
      expect(typeof data.choices[0]?.message.content).toBe("string");
      expect(data.usage?.completion_tokens).toBe(6);
      await engineLogged("/v1/chat/completions", before);
    });

    it("streams a chat completion with a usage chunk", async () => {
      const before = engineRequests(engine.logFile, "/v1/chat/completions");
      const { data: stream, response } = await client()
        .chat.completions.create({ model: alias, messages: user("hello"), max_tokens: 6, stream: true, stream_options: { include_usage: true } })
        .withResponse();
      expect(response.headers.get("x-router-backend")).toBe(REAL);
      const finishes: string[] = [];
      let deltas = 0;
      let completionTokens: number | undefined;
      for await (const chunk of stream) {
        expect(chunk.object).toBe("chat.completion.chunk");
        for (const c of chunk.choices) {
          if (c.delta.content) deltas++;
          if (c.finish_reason) finishes.push(c.finish_reason);
        }
        if (chunk.usage) completionTokens = chunk.usage.completion_tokens;
      }
      expect(finishes).toEqual(["length"]);
      expect(deltas).toBeGreaterThan(0);
      expect(completionTokens).toBe(6);
      await engineLogged("/v1/chat/completions", before);
    });
  });

  describe("Anthropic face (@anthropic-ai/sdk), passthrough: auto picks Ollama's native Messages", () => {
    const client = (): Anthropic => new Anthropic({ baseURL: url, apiKey: "unused", maxRetries: 0 });

    it("answers a message, and the engine logged it on /v1/messages", async () => {
      const before = engineRequests(engine.logFile, "/v1/messages");
      const beforeTranslated = engineRequests(engine.logFile, "/v1/chat/completions");
      const { data, response } = await client()
        .messages.create({ model: alias, max_tokens: 5, messages: user("hello") })
        .withResponse();
      expect(response.headers.get("x-router-backend")).toBe(REAL);
      expect(data).toMatchObject({ type: "message", role: "assistant", stop_reason: "max_tokens" });
      expect(data.content[0]?.type).toBe("text");
      expect(data.usage.output_tokens).toBe(5);
      // The engine writes its access line when the request is done, a moment after the reply.
      await engineLogged("/v1/messages", before);
      expect(engineRequests(engine.logFile, "/v1/chat/completions")).toBe(beforeTranslated);
    });

    it("streams a message in Anthropic's event order, with the real counts from the engine", async () => {
      const before = engineRequests(engine.logFile, "/v1/messages");
      const { data: stream, response } = await client()
        .messages.create({ model: alias, max_tokens: 5, messages: user("hello"), stream: true })
        .withResponse();
      expect(response.headers.get("x-router-backend")).toBe(REAL);
      const types: string[] = [];
      let outputTokens: number | undefined;
      let stopReason: string | null | undefined;
      for await (const event of stream) {
        if (types.at(-1) !== event.type) types.push(event.type);
        if (event.type === "message_delta") {
          outputTokens = event.usage.output_tokens;
          stopReason = event.delta.stop_reason;
        }
      }
      expect(types).toEqual(["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
      expect(stopReason).toBe("max_tokens");
      expect(outputTokens).toBe(5);
      await engineLogged("/v1/messages", before);
    });
  });

  describe("Anthropic face, translated to chat completions (anthropic: translate)", () => {
    let translating: Scenario;
    const client = (): Anthropic => new Anthropic({ baseURL: translating.router.url, apiKey: "unused", maxRetries: 0 });

    beforeAll(async () => {
      translating = await startScenario(env, "router-faces-translate", { ollamaUrl: engine.url, anthropic: "translate" });
    });

    afterAll(async () => {
      await translating.stop();
    });

    it("answers a message; the engine saw chat completions, not /v1/messages", async () => {
      const native = engineRequests(engine.logFile, "/v1/messages");
      const translated = engineRequests(engine.logFile, "/v1/chat/completions");
      const { data, response } = await client()
        .messages.create({ model: alias, max_tokens: 5, messages: user("hello") })
        .withResponse();
      expect(response.headers.get("x-router-backend")).toBe(REAL);
      expect(data).toMatchObject({ type: "message", role: "assistant", stop_reason: "max_tokens", model: alias });
      expect(data.content[0]?.type).toBe("text");
      expect(data.usage.output_tokens).toBe(5);
      await engineLogged("/v1/chat/completions", translated);
      expect(engineRequests(engine.logFile, "/v1/messages")).toBe(native);
    });

    it("streams a translated message in Anthropic's event order", async () => {
      const native = engineRequests(engine.logFile, "/v1/messages");
      const translated = engineRequests(engine.logFile, "/v1/chat/completions");
      const { data: stream, response } = await client()
        .messages.create({ model: alias, max_tokens: 5, messages: user("hello"), stream: true })
        .withResponse();
      expect(response.headers.get("x-router-backend")).toBe(REAL);
      const types: string[] = [];
      let outputTokens: number | undefined;
      let text = "";
      for await (const event of stream) {
        if (types.at(-1) !== event.type) types.push(event.type);
        if (event.type === "content_block_delta" && event.delta.type === "text_delta") text += event.delta.text;
        if (event.type === "message_delta") outputTokens = event.usage.output_tokens;
      }
      expect(types).toEqual(["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
      expect(text.length).toBeGreaterThan(0);
      expect(outputTokens).toBe(5);
      await engineLogged("/v1/chat/completions", translated);
      expect(engineRequests(engine.logFile, "/v1/messages")).toBe(native);
    });
  });

  describe("Ollama face (ollama JS client)", () => {
    const client = (): { ollama: Ollama; backend: () => string | null | undefined } => {
      const recorder = recordingFetch();
      return { ollama: new Ollama({ host: url, fetch: recorder.fetch }), backend: () => recorder.last()?.get("x-router-backend") };
    };

    it("chats", async () => {
      const { ollama, backend } = client();
      const reply = await ollama.chat({ model: alias, messages: user("hello"), stream: false, options: { num_predict: 4 } });
      expect(backend()).toBe(REAL);
      expect(reply).toMatchObject({ done: true, done_reason: "length", eval_count: 4, message: { role: "assistant" } });
    });

    it("generates", async () => {
      const { ollama, backend } = client();
      const reply = await ollama.generate({ model: alias, prompt: "hello", stream: false, options: { num_predict: 4 } });
      expect(backend()).toBe(REAL);
      expect(reply).toMatchObject({ done: true, done_reason: "length", eval_count: 4 });
      expect(typeof reply.response).toBe("string");
    });

    it("streams a chat, one part per token, the last one done with the counts", async () => {
      const { ollama, backend } = client();
      const parts = await ollama.chat({ model: alias, messages: user("hello"), stream: true, options: { num_predict: 4 } });
      const seen: Array<{ done: boolean; done_reason?: string; eval_count?: number }> = [];
      for await (const part of parts) seen.push({ done: part.done, done_reason: part.done_reason, eval_count: part.eval_count });
      expect(backend()).toBe(REAL);
      expect(seen.filter((p) => !p.done).length).toBe(4);
      expect(seen.at(-1)).toMatchObject({ done: true, done_reason: "length", eval_count: 4 });
    });

    it("streams a generation", async () => {
      const { ollama, backend } = client();
      const parts = await ollama.generate({ model: alias, prompt: "hello", stream: true, options: { num_predict: 4 } });
      let last: { done: boolean; done_reason?: string } | undefined;
      let tokens = 0;
      for await (const part of parts) {
        if (!part.done) tokens++;
        last = { done: part.done, done_reason: part.done_reason };
      }
      expect(backend()).toBe(REAL);
      expect(tokens).toBe(4);
      expect(last).toEqual({ done: true, done_reason: "length" });
    });
  });
});
