// The Ollama fake (tools/fakes/ollama.ts): keep_alive, the native API, load state.
import { Ollama } from "ollama";
import { afterEach, describe, expect, it } from "vitest";
import { parseKeepAlive } from "../../../tools/fakes/ollama.js";
import { applyChatTemplate, countTokens } from "../../../tools/fakes/index.js";
import { fake, post, json, sseData, sseEvents, waitFor, chat, stopFakes } from "./harness.js";

afterEach(stopFakes);

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
    const lines = (await res.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const last = lines.at(-1)!;
    expect(lines.slice(0, -1).every((l) => l.done === false)).toBe(true);
    expect(
      lines
        .slice(0, -1)
        .map((l) => (l.message as { content: string }).content)
        .join(""),
    ).toBe("alpha beta");
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
    const e = await fake({
      engine: "ollama",
      models: ["a", "b"],
      loaded: ["a"],
      numParallel: 1,
      maxQueue: 2,
      chunkDelayMs: 5,
      reply: () => ({ content: "t ".repeat(30) }),
    });
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
    const e = await fake({
      engine: "ollama",
      models: ["a", "b"],
      loaded: ["a"],
      chunkDelayMs: 10,
      reply: (r) => ({ content: r.model === "a" ? "x ".repeat(20) : "y" }),
    });
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
    type Chunk = {
      system_fingerprint: string;
      choices: {
        delta: { role?: string; content?: string; tool_calls?: { id: string; function: { name: string; arguments: string } }[] };
        finish_reason: string | null;
      }[];
    };
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
