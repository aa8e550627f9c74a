// The vLLM fake (tools/fakes/vllm.ts).
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { applyChatTemplate, countTokens, tokenize } from "../../../tools/fakes/index.js";
import { fake, post, json, sseData, waitFor, chat, stopFakes } from "./harness.js";

afterEach(stopFakes);

describe("vLLM fake", () => {
  it("answers /health 200 with an empty body and lists models with max_model_len", async () => {
    const e = await fake({ engine: "vllm", models: ["MiniMax-M2.5"], contextLength: 4096 });
    const health = await fetch(`${e.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe("");
    const models = await json(await fetch(`${e.url}/v1/models`));
    expect(models.data).toEqual([expect.objectContaining({ id: "MiniMax-M2.5", owned_by: "vllm", max_model_len: 4096 })]);
  });

  it("tokenizes prompts and messages consistently with usage", async () => {
    const e = await fake({ engine: "vllm", models: ["m"] });
    const messages = [{ role: "user", content: "count these words please" }];
    const tok = await json(await post(`${e.url}/tokenize`, { model: "m", messages }));
    expect(tok.count).toBe(countTokens(applyChatTemplate(messages)));
    expect(tok.max_model_len).toBe(32768);
    const plain = await json(await post(`${e.url}/tokenize`, { model: "m", prompt: "a b c" }));
    expect(plain).toMatchObject({ count: 3, tokens: tokenize("a b c") });
    const done = await json(await post(`${e.url}/v1/chat/completions`, { model: "m", messages }));
    expect((done.usage as Record<string, number>).prompt_tokens).toBe(tok.count);
  });

  it("streams SSE with a role chunk, content deltas, finish, usage chunk and [DONE]", async () => {
    const e = await fake({ engine: "vllm", models: ["m"], reply: () => ({ content: "one two three" }) });
    const res = await post(`${e.url}/v1/chat/completions`, chat("m", "hi", { stream: true, stream_options: { include_usage: true } }));
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const frames = sseData(await res.text());
    expect(frames.at(-1)).toBe("[DONE]");
    const chunks = frames
      .slice(0, -1)
      .map(
        (f) => JSON.parse(f) as { choices: { delta?: { role?: string; content?: string }; finish_reason: string | null }[]; usage?: Record<string, number> },
      );
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "" });
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    expect(text).toBe("one two three");
    const usage = chunks.at(-1);
    expect(usage?.choices).toEqual([]);
    expect(usage?.usage).toMatchObject({ completion_tokens: 3 });
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(e.stats.generationsCompleted).toBe(1);
  });

  it("sends no usage chunk unless asked", async () => {
    const e = await fake({ engine: "vllm", models: ["m"] });
    const frames = sseData(await (await post(`${e.url}/v1/chat/completions`, chat("m", "hi", { stream: true }))).text());
    const parsed = frames.slice(0, -1).map((f) => JSON.parse(f) as { choices: unknown[] });
    expect(parsed.every((c) => c.choices.length === 1)).toBe(true);
  });

  it.each(["reasoning", "reasoning_content"] as const)("puts reasoning in the %s field", async (field) => {
    const e = await fake({ engine: "vllm", models: ["m"], reasoningField: field, reply: () => ({ reasoning: "think hard", content: "ok" }) });
    const frames = sseData(await (await post(`${e.url}/v1/chat/completions`, chat("m", "q", { stream: true }))).text());
    const deltas = frames.slice(0, -1).map((f) => (JSON.parse(f) as { choices: { delta: Record<string, string | undefined> }[] }).choices[0]?.delta ?? {});
    expect(deltas.map((d) => d[field] ?? "").join("")).toBe("think hard");
    const other = field === "reasoning" ? "reasoning_content" : "reasoning";
    expect(deltas.some((d) => other in d)).toBe(false);
    const whole = await json(await post(`${e.url}/v1/chat/completions`, chat("m", "q")));
    expect((whole.choices as { message: Record<string, unknown> }[])[0]?.message[field]).toBe("think hard");
  });

  it("streams tool calls as id+name first, then argument fragments", async () => {
    const args = JSON.stringify({ path: "/etc/hosts", lines: [1, 2, 3] });
    const e = await fake({ engine: "vllm", models: ["m"], reply: () => ({ toolCalls: [{ name: "read_file", arguments: args }] }) });
    const frames = sseData(await (await post(`${e.url}/v1/chat/completions`, chat("m", "q", { stream: true }))).text());
    type ToolDelta = { index: number; id?: string; function: { name?: string; arguments: string } };
    const parsed = frames
      .slice(0, -1)
      .map((f) => (JSON.parse(f) as { choices: { delta: { tool_calls?: ToolDelta[] }; finish_reason: string | null }[] }).choices[0]);
    const calls = parsed.flatMap((c) => c?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, function: { name: "read_file", arguments: "" } });
    expect(calls[0]?.id).toBeTruthy();
    expect(calls.length).toBeGreaterThan(2);
    expect(calls.slice(1).every((c) => c.id === undefined && c.function.name === undefined)).toBe(true);
    expect(calls.map((c) => c.function.arguments).join("")).toBe(args);
    expect(parsed.at(-1)?.finish_reason).toBe("tool_calls");
  });

  it("refuses prompt + max_tokens beyond max_model_len with vLLM's 400", async () => {
    const e = await fake({ engine: "vllm", models: ["m"], contextLength: 100 });
    const res = await post(`${e.url}/v1/chat/completions`, chat("m", "hello", { max_tokens: 32000 }));
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error).toMatchObject({ type: "BadRequestError", code: 400 });
    expect((body.error as { message: string }).message).toMatch(/maximum context length is 100 tokens/);
    expect(e.stats.generationsStarted).toBe(0);
  });

  it("answers an unknown model with 404 NotFoundError", async () => {
    const e = await fake({ engine: "vllm", models: ["m"] });
    const res = await post(`${e.url}/v1/chat/completions`, chat("nope", "hi"));
    expect(res.status).toBe(404);
    expect((await json(res)).error).toMatchObject({ type: "NotFoundError", message: "The model `nope` does not exist." });
  });

  it("requires the API key on /v1 but not on /health", async () => {
    const e = await fake({ engine: "vllm", models: ["m"], apiKey: "sekrit" });
    expect((await fetch(`${e.url}/health`)).status).toBe(200);
    expect((await fetch(`${e.url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${e.url}/v1/models`, { headers: { authorization: "Bearer sekrit" } })).status).toBe(200);
    expect(e.stats.lastRequestHeaders?.authorization).toBe("Bearer sekrit");
  });

  it("serves completions and embeddings, and works with the openai SDK", async () => {
    const e = await fake({ engine: "vllm", models: ["m"], reply: (r) => ({ content: `echo ${r.lastUserMessage}` }) });
    const client = new OpenAI({ baseURL: `${e.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "ping" }], stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("echo ping");
    const completion = await client.completions.create({ model: "m", prompt: "once upon" });
    expect(completion.choices[0]?.text).toBe("echo once upon");
    const emb = await client.embeddings.create({ model: "m", input: ["a", "b"] });
    expect(emb.data).toHaveLength(2);
    expect(emb.data[0]?.embedding).toHaveLength(8);
  });

  it("aborts the generation when the client disconnects mid-stream", async () => {
    const e = await fake({ engine: "vllm", models: ["m"], chunkDelayMs: 20, reply: () => ({ content: "word ".repeat(200) }) });
    const res = await post(`${e.url}/v1/chat/completions`, chat("m", "go", { stream: true }));
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    await waitFor(() => e.stats.generationsAborted === 1, "abort");
    expect(e.stats.generationsCompleted).toBe(0);
    await e.idle();
    expect(e.stats.inFlight).toBe(0);
  });

  it("serves Anthropic Messages only when the knob is on", async () => {
    const off = await fake({ engine: "vllm", models: ["m"] });
    expect((await post(`${off.url}/v1/messages`, { model: "m", max_tokens: 10, messages: [{ role: "user", content: "hi" }] })).status).toBe(404);
    const on = await fake({ engine: "vllm", models: ["m"], anthropic: true });
    const count = await json(await post(`${on.url}/v1/messages/count_tokens`, { model: "m", messages: [{ role: "user", content: "hi there" }] }));
    expect(count.input_tokens).toBe(countTokens(applyChatTemplate([{ role: "user", content: "hi there" }])));
  });
});
