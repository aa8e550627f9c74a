// One rule on every face: an answer's `model` names what the client asked for (the alias, or the
// claude-* / name:latest name it sent), never the backend's model name, which is in x-router-model.
import { beforeAll, describe, expect, it } from "vitest";
import { config, facesFixture, sseEvents, untilModelsKnown, type Running } from "./harness.js";

describe("the model an answer names", () => {
  let r: Running;
  const fx = facesFixture();

  beforeAll(async () => {
    const vllm = await fx.fake({ engine: "vllm", models: ["org/Backend-Model"], anthropic: true });
    const llama = await fx.fake({ engine: "llamacpp", models: ["llama-model.gguf"] });
    const ollama = await fx.fake({ engine: "ollama", models: ["qwen3:8b"], loaded: ["qwen3:8b"], anthropic: true });
    r = await fx.router(
      config({
        backends: {
          vllm: { engine: "vllm", url: vllm.url },
          native: { engine: "vllm", url: vllm.url, anthropic: "native" },
          llama: { engine: "llamacpp", url: llama.url },
          ollama: { engine: "ollama", url: ollama.url },
        },
        aliases: {
          coder: { targets: [{ backend: "vllm", model: "org/Backend-Model" }] },
          native: { targets: [{ backend: "native", model: "org/Backend-Model" }] },
          llama: { targets: [{ backend: "llama", model: "llama-model.gguf" }] },
          micro: { targets: [{ backend: "ollama", model: "qwen3:8b" }] },
        },
        claudeModels: { sonnet: "coder" },
      }),
    );
    await untilModelsKnown(r);
  });

  async function post(path: string, body: unknown): Promise<{ text: string; backendModel: string | null }> {
    const res = await fetch(r.url + path, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return { text: await res.text(), backendModel: res.headers.get("x-router-model") };
  }

  /** Every `model` the answer names: the body's, each SSE event's, each NDJSON line's. */
  function named(text: string): string[] {
    const values: unknown[] = [];
    const events = sseEvents(text);
    if (text.startsWith("data:")) for (const line of text.split("\n")) if (line.startsWith("data: {")) values.push(JSON.parse(line.slice(6)));
    if (events.length > 0) for (const e of events) values.push(e.data.message ?? e.data);
    if (!text.startsWith("data:") && events.length === 0) for (const line of text.split("\n")) if (line.trim()) values.push(JSON.parse(line));
    return values.map((v) => (v as { model?: unknown }).model).filter((m): m is string => typeof m === "string");
  }

  const messages = [{ role: "user", content: "hello" }];
  it.each([
    ["OpenAI chat", "/v1/chat/completions", { model: "coder", messages }, "coder"],
    ["OpenAI chat, streamed", "/v1/chat/completions", { model: "coder", messages, stream: true, stream_options: { include_usage: true } }, "coder"],
    ["OpenAI completions", "/v1/completions", { model: "coder", prompt: "once" }, "coder"],
    ["OpenAI embeddings", "/api/v1/embeddings", { model: "coder", input: "x" }, "coder"],
    ["OpenAI chat to llama.cpp (streamed in the client's stead)", "/v1/chat/completions", { model: "llama", messages }, "llama"],
    ["OpenAI chat to Ollama, streamed", "/v1/chat/completions", { model: "micro", messages, stream: true }, "micro"],
    ["Anthropic, translated", "/v1/messages", { model: "claude-sonnet-4-5", max_tokens: 16, messages }, "claude-sonnet-4-5"],
    ["Anthropic, native, streamed", "/v1/messages", { model: "native", max_tokens: 16, messages, stream: true }, "native"],
    ["Ollama chat, translated", "/api/chat", { model: "coder", messages, stream: false }, "coder"],
    ["Ollama chat, passthrough, streamed", "/api/chat", { model: "micro:latest", messages }, "micro:latest"],
  ])("%s", async (_name, path, body, expected) => {
    const { text, backendModel } = await post(path, body);
    const models = named(text);
    expect(models.length, text.slice(0, 300)).toBeGreaterThan(0);
    expect(new Set(models)).toEqual(new Set([expected]));
    expect(backendModel).not.toBe(expected);
    expect(text).not.toContain(`"model":"${backendModel}"`);
  });
});
