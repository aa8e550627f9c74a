import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import Anthropic from "@anthropic-ai/sdk";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { parseKeepAlive } from "../../../tools/fakes/ollama.js";
import { applyChatTemplate, countTokens, startFakeEngine, tokenize } from "../../../tools/fakes/index.js";
import type { FakeEngine, FakeEngineOptions } from "../../../tools/fakes/index.js";

const running: FakeEngine[] = [];
async function fake(options: FakeEngineOptions): Promise<FakeEngine> {
  const engine = await startFakeEngine(options);
  running.push(engine);
  return engine;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
});

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}
async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}
function sseData(text: string): string[] {
  expect(text.endsWith("\n\n")).toBe(true);
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((frame) => {
      expect(frame.startsWith("data: ")).toBe(true);
      return frame.slice("data: ".length);
    });
}
function sseEvents(text: string): { event: string; data: Record<string, unknown> }[] {
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((frame) => {
      const [eventLine, dataLine] = frame.split("\n");
      return { event: (eventLine ?? "").replace("event: ", ""), data: JSON.parse((dataLine ?? "").replace("data: ", "")) as Record<string, unknown> };
    });
}
/** Polls a condition (bounded); for state that settles asynchronously, never for durations. */
async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
const chat = (model: string, content: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model,
  messages: [{ role: "user", content }],
  ...extra,
});

describe("toy tokenizer", () => {
  it.each([
    ["", 0],
    ["hello", 1],
    ["hello world", 2],
    ["hello, world!", 4],
    ["  spaced   out  ", 3],
    ["naïve café", 2],
  ])("counts %j as %i tokens", (text, n) => {
    expect(countTokens(text)).toBe(n);
    expect(tokenize(text)).toHaveLength(n);
  });
  it("is deterministic", () => {
    expect(tokenize("the same text")).toEqual(tokenize("the same text"));
  });
});

describe("Ollama keep_alive parsing", () => {
  it.each([
    [300, 300_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["0", 0],
    [0, 0],
    ["-1", -1000],
    [-1, -1000],
    ["250ms", 250],
    ["soon", undefined],
    [undefined, undefined],
  ])("reads %j as %j ms", (value, ms) => {
    expect(parseKeepAlive(value)).toBe(ms);
  });
});

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
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f) as { choices: { delta?: { role?: string; content?: string }; finish_reason: string | null }[]; usage?: Record<string, number> });
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
    const parsed = frames.slice(0, -1).map((f) => (JSON.parse(f) as { choices: { delta: { tool_calls?: ToolDelta[] }; finish_reason: string | null }[] }).choices[0]);
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

describe("Ollama fake", () => {
  it("reports version, installed tags with details, and /api/show context length", async () => {
    const e = await fake({ engine: "ollama", models: ["qwen3-coder:30b", "tiny"], anthropic: true, contextLength: 8192 });
    expect(await json(await fetch(`${e.url}/api/version`))).toEqual({ version: "0.17.4" });
    const tags = (await json(await fetch(`${e.url}/api/tags`))).models as { name: string; details: Record<string, unknown> }[];
    expect(tags.map((t) => t.name)).toEqual(["qwen3-coder:30b", "tiny:latest"]);
    expect(tags[0]?.details).toMatchObject({ format: "gguf", family: "llama" });
    const show = await json(await post(`${e.url}/api/show`, { model: "tiny" }));
    expect((show.model_info as Record<string, unknown>)["llama.context_length"]).toBe(8192);
    expect(show.capabilities).toContain("completion");
    expect((await post(`${e.url}/api/show`, { model: "absent" })).status).toBe(404);
  });

  it("streams /api/chat as NDJSON by default, ending with done:true and counts", async () => {
    const e = await fake({ engine: "ollama", models: ["m"], reply: () => ({ content: "alpha beta" }) });
    const res = await post(`${e.url}/api/chat`, chat("m", "hi"));
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    const lines = (await res.text()).trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const last = lines.at(-1)!;
    expect(lines.slice(0, -1).every((l) => l.done === false)).toBe(true);
    expect(lines.slice(0, -1).map((l) => (l.message as { content: string }).content).join("")).toBe("alpha beta");
    expect(last).toMatchObject({ done: true, done_reason: "stop", eval_count: 2, model: "m" });
    for (const k of ["total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration", "eval_duration"]) expect(typeof last[k]).toBe("number");
  });

  it("answers /api/generate whole when stream is false, and embeds", async () => {
    const e = await fake({ engine: "ollama", models: ["m"], reply: () => ({ content: "done it" }) });
    const gen = await json(await post(`${e.url}/api/generate`, { model: "m", prompt: "do it", stream: false }));
    expect(gen).toMatchObject({ response: "done it", done: true, done_reason: "stop" });
    const embed = await json(await post(`${e.url}/api/embed`, { model: "m", input: ["x", "y"] }));
    expect(embed.embeddings).toHaveLength(2);
    const legacy = await json(await post(`${e.url}/api/embeddings`, { model: "m", prompt: "x" }));
    expect(legacy.embedding).toHaveLength(8);
  });

  it("answers an unknown model with 404 {error} natively and in OpenAI shape on /v1", async () => {
    const e = await fake({ engine: "ollama", models: ["m"] });
    const native = await post(`${e.url}/api/chat`, chat("ghost", "hi"));
    expect(native.status).toBe(404);
    expect(await json(native)).toEqual({ error: "model 'ghost' not found" });
    const compat = await post(`${e.url}/v1/chat/completions`, chat("ghost", "hi"));
    expect(compat.status).toBe(404);
    expect((await json(compat)).error).toEqual({ message: "model 'ghost' not found", type: "api_error", param: null, code: null });
  });

  it("loads a cold model on first use; requests during the load wait and all succeed", async () => {
    const e = await fake({ engine: "ollama", models: ["m"], loadDelayMs: 200 });
    expect((await json(await fetch(`${e.url}/api/ps`))).models).toEqual([]);
    const first = post(`${e.url}/api/chat`, chat("m", "one", { stream: false }));
    await waitFor(() => e.stats.loadsStarted === 1, "load start");
    expect(e.loadedModels()).toEqual([]);
    expect(e.loadingModels()).toEqual(["m:latest"]);
    // Like the real scheduler, a runner shows in /api/ps while it is still loading.
    const during = (await json(await fetch(`${e.url}/api/ps`))).models as { name: string }[];
    expect(during.map((m) => m.name)).toEqual(["m:latest"]);
    const second = post(`${e.url}/api/chat`, chat("m", "two", { stream: false }));
    const answers = await Promise.all([first, second]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect(e.stats.loadsStarted).toBe(1);
    expect(e.stats.loadsCompleted).toBe(1);
    const ps = (await json(await fetch(`${e.url}/api/ps`))).models as Record<string, unknown>[];
    // CPU-only by default, as the real run: nothing in GPU memory.
    expect(ps).toEqual([expect.objectContaining({ name: "m:latest", model: "m:latest", size_vram: 0 })]);
    expect(Date.parse(String(ps[0]?.expires_at))).toBeGreaterThan(Date.now());
  });

  it("loads each model in its own time (loadDelaysMs) and tells which requests wait for a load", async () => {
    const cold: string[] = [];
    const e = await fake({
      engine: "ollama",
      models: ["fast", "slow"],
      maxLoadedModels: 2,
      loadDelaysMs: { fast: 0, slow: 60_000 },
      onColdRequest: (m) => cold.push(m),
    });
    const slow = post(`${e.url}/api/generate`, { model: "slow", prompt: "x", stream: false }).catch(() => undefined);
    await waitFor(() => e.loadingModels().includes("slow:latest"), "slow load under way");
    expect((await post(`${e.url}/api/generate`, { model: "fast", prompt: "x", stream: false })).status).toBe(200);
    expect(e.loadedModels()).toEqual(["fast:latest"]);
    expect(e.loadingModels()).toEqual(["slow:latest"]);
    // A loaded model answers without waiting for a load: no new cold request.
    expect((await post(`${e.url}/api/generate`, { model: "fast", prompt: "y", stream: false })).status).toBe(200);
    expect(cold).toEqual(["slow:latest", "fast:latest"]);
    await e.kill();
    await slow;
  });

  it("says a model is ready only when loaded, not chosen for eviction, a slot free and nobody waiting", async () => {
    const e = await fake({ engine: "ollama", models: ["a", "b"], loaded: ["a"], chunkDelayMs: 10, reply: () => ({ content: "t ".repeat(20) }) });
    expect(e.readyFor("a")).toBe(true);
    expect(e.readyFor("b")).toBe(false);
    expect(e.readyFor("nope")).toBe(false);
    const busy = post(`${e.url}/api/generate`, { model: "a", prompt: "x", stream: false });
    await waitFor(() => e.stats.activeGenerations === 1, "a generating");
    expect(e.readyFor("a")).toBe(false);
    expect((await busy).status).toBe(200);
    expect(e.readyFor("a")).toBe(true);
    const v = await fake({ engine: "vllm", models: ["m"] });
    expect([v.readyFor("m"), v.readyFor("other")]).toEqual([true, false]);
    await v.kill();
    expect(v.readyFor("m")).toBe(false);
  });

  it("reports the whole size as size_vram when the models sit on a GPU", async () => {
    const e = await fake({ engine: "ollama", models: ["m"], loaded: ["m"], gpu: true });
    const ps = (await json(await fetch(`${e.url}/api/ps`))).models as Record<string, unknown>[];
    expect(ps).toEqual([expect.objectContaining({ name: "m:latest", size: 1_000_000_000, size_vram: 1_000_000_000 })]);
  });

  it("runs NUM_PARALLEL generations at once and queues the rest inside", async () => {
    const e = await fake({ engine: "ollama", models: ["m"], loaded: ["m"], numParallel: 2, chunkDelayMs: 5 });
    const all = await Promise.all(Array.from({ length: 6 }, (_, i) => post(`${e.url}/api/chat`, chat("m", `q${i}`, { stream: false }))));
    expect(all.every((r) => r.status === 200)).toBe(true);
    expect(e.stats.maxActiveGenerations).toBe(2);
    expect(e.stats.maxInFlight).toBe(6);
    expect(e.stats.generationsCompleted).toBe(6);
  });

  it("queues requests for a busy slot without bound, but only OLLAMA_MAX_QUEUE behind a blocked scheduler", async () => {
    const e = await fake({ engine: "ollama", models: ["a", "b"], loaded: ["a"], numParallel: 1, maxQueue: 2, chunkDelayMs: 5, reply: () => ({ content: "t ".repeat(30) }) });
    const slotWaiters = Array.from({ length: 4 }, (_, i) => post(`${e.url}/api/chat`, chat("a", `q${i}`, { stream: false })));
    await waitFor(() => e.stats.activeGenerations === 1 && e.stats.inFlight === 4, "a busy with three waiting");
    // b must evict a, which is busy: the scheduler blocks until a drains.
    const evicting = post(`${e.url}/api/chat`, chat("b", "evict", { stream: false }));
    await waitFor(() => e.stats.inFlight === 5, "b waiting");
    const queued = Array.from({ length: 3 }, (_, i) => post(`${e.url}/api/chat`, chat(i === 0 ? "a" : "b", `late${i}`, { stream: false })));
    const statuses = (await Promise.all([...slotWaiters, evicting, ...queued])).map((r) => r.status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5).sort()).toEqual([200, 200, 503]);
    expect(e.stats.evictions).toBeGreaterThanOrEqual(1);
  });

  it("words a full queue as Ollama does", async () => {
    const e = await fake({ engine: "ollama", models: ["a", "b"], loaded: ["a"], maxQueue: 0 });
    const res = await post(`${e.url}/api/chat`, chat("a", "x", { stream: false }));
    expect(res.status).toBe(503);
    expect(await json(res)).toEqual({ error: "server busy, please try again.  maximum pending requests exceeded" });
  });

  it("evicts the loaded model when another loads with MAX_LOADED_MODELS=1", async () => {
    const e = await fake({ engine: "ollama", models: ["a", "b"], loaded: ["a"], loadDelayMs: 20 });
    expect(e.loadedModels()).toEqual(["a:latest"]);
    expect((await post(`${e.url}/api/generate`, { model: "b", prompt: "x", stream: false })).status).toBe(200);
    expect(e.loadedModels()).toEqual(["b:latest"]);
    expect(e.stats.evictions).toBe(1);
    const ps = (await json(await fetch(`${e.url}/api/ps`))).models as { name: string }[];
    expect(ps.map((m) => m.name)).toEqual(["b:latest"]);
  });

  it("waits for a busy model to finish before evicting it", async () => {
    const e = await fake({ engine: "ollama", models: ["a", "b"], loaded: ["a"], chunkDelayMs: 10, reply: (r) => ({ content: r.model === "a" ? "x ".repeat(20) : "y" }) });
    const long = post(`${e.url}/api/generate`, { model: "a", prompt: "x", stream: false });
    await waitFor(() => e.stats.activeGenerations === 1, "a generating");
    const other = post(`${e.url}/api/generate`, { model: "b", prompt: "x", stream: false });
    const [ra, rb] = await Promise.all([long, other]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect(e.stats.maxActiveGenerations).toBe(1);
    expect(e.loadedModels()).toEqual(["b:latest"]);
  });

  it("unloads after keep-alive, at once with keep_alive 0, and loads on an empty request", async () => {
    const e = await fake({ engine: "ollama", models: ["m"], keepAliveMs: 30 });
    const load = await json(await post(`${e.url}/api/generate`, { model: "m" }));
    expect(load).toMatchObject({ done: true, done_reason: "load" });
    expect(e.loadedModels()).toEqual(["m:latest"]);
    await waitFor(() => e.loadedModels().length === 0, "keep-alive unload");
    await post(`${e.url}/api/chat`, chat("m", "x", { stream: false, keep_alive: "1h" }));
    expect(e.loadedModels()).toEqual(["m:latest"]);
    const unload = await json(await post(`${e.url}/api/generate`, { model: "m", keep_alive: 0 }));
    expect(unload.done_reason).toBe("unload");
    expect(e.loadedModels()).toEqual([]);
    await post(`${e.url}/api/chat`, chat("m", "x", { stream: false, keep_alive: 0 }));
    expect(e.loadedModels()).toEqual([]);
  });

  it("aborts a cold load when the client that started it leaves", async () => {
    const e = await fake({ engine: "ollama", models: ["m"], loadDelayMs: 100 });
    const client = new AbortController();
    const gone = fetch(`${e.url}/api/generate`, { method: "POST", body: JSON.stringify({ model: "m", prompt: "y", stream: false }), signal: client.signal });
    await waitFor(() => e.stats.loadsStarted === 1, "load start");
    client.abort();
    await expect(gone).rejects.toThrow();
    await waitFor(() => e.stats.loadsAborted === 1, "load aborted");
    expect(e.loadedModels()).toEqual([]);
    expect((await post(`${e.url}/api/generate`, { model: "m", prompt: "y", stream: false })).status).toBe(200);
    expect(e.stats.loadsStarted).toBe(2);
    expect(e.loadedModels()).toEqual(["m:latest"]);
  });

  it("finishes the load anyway with abortLoadOnDisconnect: false", async () => {
    const e = await fake({ engine: "ollama", models: ["m"], loadDelayMs: 100, abortLoadOnDisconnect: false });
    const client = new AbortController();
    const gone = fetch(`${e.url}/api/generate`, { method: "POST", body: JSON.stringify({ model: "m", prompt: "y", stream: false }), signal: client.signal });
    await waitFor(() => e.stats.loadsStarted === 1, "load start");
    client.abort();
    await expect(gone).rejects.toThrow();
    await waitFor(() => e.stats.loadsCompleted === 1, "load completed");
    expect(e.stats.loadsAborted).toBe(0);
    expect(e.loadedModels()).toEqual(["m:latest"]);
  });

  it("stops generating at the next token when the client disconnects", async () => {
    const e = await fake({ engine: "ollama", models: ["m"], loaded: ["m"], chunkDelayMs: 10, reply: () => ({ content: "t ".repeat(100) }) });
    const res = await post(`${e.url}/api/chat`, chat("m", "go"));
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    await waitFor(() => e.stats.generationsAborted === 1, "abort");
    expect(e.stats.generationsCompleted).toBe(0);
  });

  it("streams its OpenAI layer Ollama's way: role on every delta, tool calls whole", async () => {
    const args = JSON.stringify({ q: "weather in Paris" });
    const e = await fake({ engine: "ollama", models: ["m"], reply: () => ({ content: "ok", toolCalls: [{ name: "search", arguments: args }] }) });
    const frames = sseData(await (await post(`${e.url}/v1/chat/completions`, chat("m", "q", { stream: true }))).text());
    expect(frames.at(-1)).toBe("[DONE]");
    type Chunk = { system_fingerprint: string; choices: { delta: { role?: string; content?: string; tool_calls?: { id: string; function: { name: string; arguments: string } }[] }; finish_reason: string | null }[] };
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f) as Chunk);
    expect(chunks.every((c) => c.choices[0]?.delta.role === "assistant" && c.system_fingerprint === "fp_ollama")).toBe(true);
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.function).toEqual({ name: "search", arguments: args });
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("speaks Anthropic Messages as v0.17.4 does: estimate first, both counts at the end, no stop_sequence", async () => {
    const e = await fake({ engine: "ollama", models: ["m"], anthropic: true, reply: () => ({ content: "a b c" }) });
    const body = { model: "m", max_tokens: 50, messages: [{ role: "user", content: "hello there" }] };
    const events = sseEvents(await (await post(`${e.url}/v1/messages`, { ...body, stream: true })).text());
    const delta = events.find((x) => x.event === "message_delta")?.data as { delta: Record<string, unknown>; usage: Record<string, number> };
    expect(delta.usage).toEqual({ input_tokens: countTokens(applyChatTemplate(body.messages)), output_tokens: 3 });
    expect("stop_sequence" in delta.delta).toBe(false);
    const whole = await json(await post(`${e.url}/v1/messages`, body));
    expect("stop_sequence" in whole).toBe(false);
    const missing = await post(`${e.url}/v1/messages`, { ...body, model: "x" });
    expect(missing.status).toBe(404);
    expect(await json(missing)).toMatchObject({ type: "error", error: { type: "not_found_error", message: "model 'x' not found" } });
    const count = await post(`${e.url}/v1/messages/count_tokens`, body);
    expect(count.status).toBe(404);
    expect(await count.text()).toBe("404 page not found");
  });

  it("works with the ollama JS client", async () => {
    const e = await fake({ engine: "ollama", models: ["m"], reply: () => ({ content: "from ollama" }) });
    const client = new Ollama({ host: e.url });
    let text = "";
    for await (const part of await client.chat({ model: "m", messages: [{ role: "user", content: "hi" }], stream: true })) text += part.message.content;
    expect(text).toBe("from ollama");
    const ps = await client.ps();
    expect(ps.models.map((m) => m.name)).toEqual(["m:latest"]);
  });
});

describe("llama.cpp fake", () => {
  it("answers /health 503 Loading model while loading, then 200 {status: ok}", async () => {
    const e = await fake({ engine: "llamacpp", models: ["qwen.gguf"], loadDelayMs: 150 });
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
    const e = await fake({ engine: "llamacpp", models: ["m"], anthropic: true, reply: () => ({ reasoning: "let me think", content: "Sure.", toolCalls: [{ name: "weather", arguments: args }] }) });
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

describe("generic OpenAI-compatible fake", () => {
  it("lists models, answers chat and rejects bad keys in OpenAI's shape", async () => {
    const e = await fake({ engine: "openai", models: ["gpt-x"], apiKey: "k" });
    const denied = await fetch(`${e.url}/v1/models`);
    expect(denied.status).toBe(401);
    expect((await json(denied)).error).toMatchObject({ code: "invalid_api_key" });
    const client = new OpenAI({ baseURL: `${e.url}/v1`, apiKey: "k", maxRetries: 0 });
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(["gpt-x"]);
    const done = await client.chat.completions.create({ model: "gpt-x", messages: [{ role: "user", content: "hello" }] });
    expect(done.choices[0]?.message.content).toContain("hello");
    const bad = await post(`${e.url}/v1/chat/completions`, chat("nope", "x"), { authorization: "Bearer k" });
    expect(bad.status).toBe(404);
    expect((await json(bad)).error).toMatchObject({ code: "model_not_found" });
  });

  it("answers malformed JSON with 400 and an unknown path with 404", async () => {
    const e = await fake({ engine: "openai", models: ["m"] });
    const res = await fetch(`${e.url}/v1/chat/completions`, { method: "POST", body: "{not json" });
    expect(res.status).toBe(400);
    expect((await fetch(`${e.url}/v2/nothing`)).status).toBe(404);
  });
});

describe("faults", () => {
  it.each(["vllm", "ollama", "llamacpp", "openai"] as const)("%s: status fault for N requests with Retry-After, then ok", async (engine) => {
    const e = await fake({ engine, models: ["m"], loaded: ["m"] });
    e.faults.set({ mode: "status", status: 429, statusCount: 2, retryAfterS: 7 });
    const path = engine === "ollama" ? "/api/chat" : "/v1/chat/completions";
    const body = chat("m", "hi", { stream: false });
    for (let i = 0; i < 2; i++) {
      const res = await post(`${e.url}${path}`, body);
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("7");
      expect(await json(res)).toHaveProperty("error");
    }
    expect((await post(`${e.url}${path}`, body)).status).toBe(200);
    expect(e.faults.current().mode).toBe("ok");
  });

  it("applies to inference paths only by default, or to the paths given", async () => {
    const e = await fake({ engine: "vllm", models: ["m"] });
    e.faults.set({ mode: "status", status: 503, body: "down" });
    expect((await fetch(`${e.url}/health`)).status).toBe(200);
    const res = await post(`${e.url}/v1/chat/completions`, chat("m", "hi"));
    expect(res.status).toBe(503);
    expect(await res.text()).toBe("down");
    e.faults.set({ mode: "status", status: 500, paths: ["/health"] });
    expect((await fetch(`${e.url}/health`)).status).toBe(500);
    expect((await post(`${e.url}/v1/chat/completions`, chat("m", "hi"))).status).toBe(200);
  });

  it("reset-before-headers destroys the socket", async () => {
    const e = await fake({ engine: "vllm", models: ["m"] });
    e.faults.set({ mode: "reset-before-headers" });
    await expect(post(`${e.url}/v1/chat/completions`, chat("m", "hi"))).rejects.toThrow();
    e.faults.clear();
    expect((await post(`${e.url}/v1/chat/completions`, chat("m", "hi"))).status).toBe(200);
  });

  it("hang accepts and never answers; the request stays in flight until the client leaves", async () => {
    const e = await fake({ engine: "vllm", models: ["m"] });
    e.faults.set({ mode: "hang" });
    const client = new AbortController();
    const pending = fetch(`${e.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify(chat("m", "hi")), signal: client.signal });
    await waitFor(() => e.stats.inFlight === 1, "request arrived");
    client.abort();
    await expect(pending).rejects.toThrow();
    await e.idle();
    expect(e.stats.generationsStarted).toBe(0);
  });

  it("stall-after-headers sends 200 and the first chunk, then nothing; leaving counts as an abort", async () => {
    const e = await fake({ engine: "vllm", models: ["m"], reply: () => ({ content: "never finished sentence" }) });
    e.faults.set({ mode: "stall-after-headers" });
    const res = await post(`${e.url}/v1/chat/completions`, chat("m", "hi", { stream: true }));
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let seen = "";
    while (!seen.includes('"content":"never"')) {
      const { value, done } = (await reader.read()) as { value?: Uint8Array; done: boolean };
      if (done) throw new Error("stream ended");
      seen += new TextDecoder().decode(value);
    }
    expect(seen).not.toContain("finished");
    expect(e.stats.generationsCompleted).toBe(0);
    await reader.cancel();
    await waitFor(() => e.stats.generationsAborted === 1, "abort counted");
  });

  it("stall-after-headers on a non-streaming request sends headers only", async () => {
    const e = await fake({ engine: "ollama", models: ["m"], loaded: ["m"] });
    e.faults.set({ mode: "stall-after-headers" });
    const client = new AbortController();
    const res = await fetch(`${e.url}/api/chat`, { method: "POST", body: JSON.stringify(chat("m", "hi", { stream: false })), signal: client.signal });
    expect(res.status).toBe(200);
    client.abort();
    await waitFor(() => e.stats.generationsAborted === 1, "abort counted");
  });

  it("refuse closes the port; clearing listens again on the same port", async () => {
    const e = await fake({ engine: "ollama", models: ["m"] });
    const port = e.port;
    e.faults.set({ mode: "refuse" });
    await e.faults.settled();
    const refused = await fetch(`${e.url}/api/version`).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(Error);
    expect(((refused as Error).cause as { code?: string }).code).toBe("ECONNREFUSED");
    e.faults.clear();
    await e.faults.settled();
    expect(e.port).toBe(port);
    expect((await fetch(`${e.url}/api/version`)).status).toBe(200);
  });
});

describe("lifecycle", () => {
  it("kill cuts a running stream, counts the abort, and restart serves on the same port", async () => {
    const e = await fake({ engine: "ollama", models: ["m"], loaded: ["m"], chunkDelayMs: 10, reply: () => ({ content: "x ".repeat(200) }) });
    const res = await post(`${e.url}/api/chat`, chat("m", "go"));
    const reader = res.body!.getReader();
    await reader.read();
    await e.kill();
    await expect((async () => { for (;;) { const r = await reader.read(); if (r.done) return; } })()).rejects.toThrow();
    await waitFor(() => e.stats.generationsAborted === 1, "abort counted");
    expect(e.stats.openConnections).toBe(0);
    const refused = await fetch(`${e.url}/api/version`).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(Error);
    await e.restart();
    expect(e.loadedModels()).toEqual([]);
    expect((await post(`${e.url}/api/chat`, chat("m", "again", { stream: false }))).status).toBe(200);
  });

  it("stop leaves no open connections", async () => {
    const e = await startFakeEngine({ engine: "vllm", models: ["m"] });
    await fetch(`${e.url}/v1/models`);
    await e.stop();
    expect(e.stats.openConnections).toBe(0);
  });
});

describe("cli", () => {
  it("prints its URL as one JSON line and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "tools/fakes/cli.ts", "--engine", "ollama", "--port", "0", "--models", "a,b", "--loaded", "a", "--anthropic"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const lines = createInterface({ input: child.stdout });
      const [line] = (await once(lines, "line")) as [string];
      const info = JSON.parse(line) as { url: string; port: number; engine: string };
      expect(info.engine).toBe("ollama");
      expect(info.url).toBe(`http://127.0.0.1:${info.port}`);
      expect(await json(await fetch(`${info.url}/api/version`))).toEqual({ version: "0.17.4" });
      const ps = (await json(await fetch(`${info.url}/api/ps`))).models as { name: string }[];
      expect(ps.map((m) => m.name)).toEqual(["a:latest"]);
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(0);
  });
});
