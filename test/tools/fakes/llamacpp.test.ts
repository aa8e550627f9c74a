// The llama.cpp fake (tools/fakes/llamacpp.ts).
import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { applyChatTemplate, tokenize } from "../../../tools/fakes/index.js";
import { fake, post, json, sseEvents, waitFor, chat, stopFakes } from "./harness.js";

afterEach(stopFakes);

describe("llama.cpp fake", () => {
  it("answers /health 503 Loading model while loading, then 200 {status: ok}", async () => {
    const e = await fake({ engine: "llamacpp", models: ["qwen.gguf"], loadDelayMs: 1_000 });
    const first = await fetch(`${e.url}/health`);
    expect(first.status).toBe(503);
    expect(await json(first)).toEqual({ error: { code: 503, message: "Loading model", type: "unavailable_error" } });
    expect((await post(`${e.url}/v1/chat/completions`, chat("x", "hi"))).status).toBe(503);
    expect(e.loadedModels()).toEqual([]);
    await waitFor(async () => (await fetch(`${e.url}/health`)).status === 200, "loaded");
    expect(await json(await fetch(`${e.url}/health`))).toEqual({ status: "ok" });
    expect(e.loadedModels()).toEqual(["qwen.gguf"]);
  });

  it("loads again after a restart on the same port", async () => {
    const e = await fake({ engine: "llamacpp", models: ["m"], loadDelayMs: 100 });
    await waitFor(async () => (await fetch(`${e.url}/health`)).status === 200, "loaded");
    const port = e.port;
    await e.restart();
    expect(e.port).toBe(port);
    // The pooled keep-alive connection died with the old process; the next attempt connects anew.
    const again = await fetch(`${e.url}/health`).catch(() => fetch(`${e.url}/health`));
    expect(again.status).toBe(503);
  });

  it("reports n_ctx and slots, tokenizes and applies the template", async () => {
    const e = await fake({ engine: "llamacpp", models: ["m"], contextLength: 2048, numParallel: 2 });
    const props = await json(await fetch(`${e.url}/props`));
    expect(props).toMatchObject({ default_generation_settings: { n_ctx: 2048 }, total_slots: 2 });
    expect(await json(await fetch(`${e.url}/slots`))).toHaveLength(2);
    expect(await json(await post(`${e.url}/tokenize`, { content: "hello world" }))).toEqual({ tokens: tokenize("hello world") });
    const messages = [{ role: "user", content: "hi" }];
    expect(await json(await post(`${e.url}/apply-template`, { messages }))).toEqual({ prompt: applyChatTemplate(messages) });
    const models = await json(await fetch(`${e.url}/v1/models`));
    expect(models.data).toEqual([expect.objectContaining({ id: "m", owned_by: "llamacpp" })]);
  });

  it("serves any model name (one model per server) and refuses a prompt over n_ctx", async () => {
    const e = await fake({ engine: "llamacpp", models: ["m"], contextLength: 20 });
    expect((await post(`${e.url}/v1/chat/completions`, chat("whatever", "hi"))).status).toBe(200);
    const res = await post(`${e.url}/v1/chat/completions`, chat("m", "word ".repeat(40)));
    expect(res.status).toBe(400);
    expect((await json(res)).error).toMatchObject({ type: "exceed_context_size_error", n_ctx: 20 });
  });

  it("bounds concurrent generations by its slots", async () => {
    const e = await fake({ engine: "llamacpp", models: ["m"], numParallel: 1, chunkDelayMs: 2 });
    const all = await Promise.all(Array.from({ length: 4 }, () => post(`${e.url}/v1/chat/completions`, chat("m", "hi"))));
    expect(all.every((r) => r.status === 200)).toBe(true);
    expect(e.stats.maxActiveGenerations).toBe(1);
  });

  it("cancels a streamed generation when the client leaves, but runs a non-streamed one to its end", async () => {
    const e = await fake({ engine: "llamacpp", models: ["m"], numParallel: 1, chunkDelayMs: 5, reply: () => ({ content: "w ".repeat(20) }) });
    const streamed = await post(`${e.url}/v1/chat/completions`, chat("m", "s", { stream: true }));
    const reader = streamed.body!.getReader();
    await reader.read();
    await reader.cancel();
    await waitFor(() => e.stats.generationsAborted === 1, "streamed abort");
    const client = new AbortController();
    const whole = fetch(`${e.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify(chat("m", "w")), signal: client.signal });
    await waitFor(() => e.stats.activeGenerations === 1, "generating");
    client.abort();
    await expect(whole).rejects.toThrow();
    await e.idle();
    expect(e.stats.generationsCompleted).toBe(1);
    expect(e.stats.generationsAborted).toBe(1);
  });

  it("accepts the key as Bearer or x-api-key, /health stays public", async () => {
    const e = await fake({ engine: "llamacpp", models: ["m"], apiKey: "k" });
    expect((await fetch(`${e.url}/health`)).status).toBe(200);
    const denied = await post(`${e.url}/v1/chat/completions`, chat("m", "hi"));
    expect(denied.status).toBe(401);
    expect((await json(denied)).error).toMatchObject({ type: "authentication_error" });
    expect((await post(`${e.url}/v1/chat/completions`, chat("m", "hi"), { "x-api-key": "k" })).status).toBe(200);
  });

  it("serves Anthropic Messages in the documented event order, with the official SDK", async () => {
    const args = JSON.stringify({ city: "Paris", days: 3 });
    const e = await fake({
      engine: "llamacpp",
      models: ["m"],
      anthropic: true,
      reply: () => ({ reasoning: "let me think", content: "Sure.", toolCalls: [{ name: "weather", arguments: args }] }),
    });
    const res = await post(`${e.url}/v1/messages`, { model: "m", max_tokens: 200, stream: true, messages: [{ role: "user", content: "weather?" }] });
    const events = sseEvents(await res.text());
    const names = events.map((x) => x.event);
    expect(names[0]).toBe("message_start");
    expect(names.slice(-2)).toEqual(["message_delta", "message_stop"]);
    const starts = events.filter((x) => x.event === "content_block_start").map((x) => (x.data.content_block as { type: string }).type);
    expect(starts).toEqual(["thinking", "text", "tool_use"]);
    expect(events.filter((x) => x.event === "content_block_stop")).toHaveLength(3);
    const json_ = events
      .filter((x) => x.event === "content_block_delta" && (x.data.delta as { type: string }).type === "input_json_delta")
      .map((x) => (x.data.delta as { partial_json: string }).partial_json)
      .join("");
    expect(json_).toBe(args);
    expect((events.at(-2)?.data.delta as { stop_reason: string }).stop_reason).toBe("tool_use");

    const client = new Anthropic({ baseURL: e.url, apiKey: "unused", maxRetries: 0 });
    const message = await client.messages.create({ model: "m", max_tokens: 200, messages: [{ role: "user", content: "weather?" }] });
    expect(message.content.map((b) => b.type)).toEqual(["thinking", "text", "tool_use"]);
    const streamed = await client.messages.stream({ model: "m", max_tokens: 200, messages: [{ role: "user", content: "weather?" }] }).finalMessage();
    const tool = streamed.content.find((b) => b.type === "tool_use");
    expect(tool?.type === "tool_use" ? tool.input : undefined).toEqual({ city: "Paris", days: 3 });
  });
});
