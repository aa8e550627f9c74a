// The facts about Ollama that the router and the engine fakes rely on, asserted against a real
// `ollama serve` (OLLAMA_MAX_LOADED_MODELS=1, OLLAMA_NUM_PARALLEL=1, a short OLLAMA_KEEP_ALIVE).
// The tests run in order: they observe one engine's load state as it changes.
// What the engine did is written down for the fake authors in scripts/e2e/FACTS.md.

import { describe, expect, it } from "vitest";
import { z } from "zod";
import { e2eEnv } from "./env.js";
import { collect, eventually, getJson, logLines, openStream, parseSse, postJson } from "./http.js";

const env = e2eEnv();
const base = env.ollamaUrl;
const [modelA, modelB] = env.models;
const latest = (m: string): string => `${m}:latest`;
const user = (content: string): Array<{ role: string; content: string }> => [{ role: "user", content }];

const details = z.object({
  format: z.string(),
  family: z.string(),
  families: z.array(z.string()).nullable(),
  parameter_size: z.string(),
  quantization_level: z.string(),
});
const tags = z.object({
  models: z.array(z.object({ name: z.string(), model: z.string(), size: z.number(), digest: z.string(), modified_at: z.string(), details })),
});
const ps = z.object({
  models: z.array(
    z.object({
      name: z.string(),
      model: z.string(),
      size: z.number(),
      size_vram: z.number(),
      digest: z.string(),
      expires_at: z.string(),
      context_length: z.number(),
      details,
    }),
  ),
});
const chatChunk = z.object({
  model: z.string(),
  created_at: z.string(),
  message: z.object({ role: z.literal("assistant"), content: z.string() }),
  done: z.boolean(),
});
const chatFinal = chatChunk.extend({
  done: z.literal(true),
  done_reason: z.string(),
  total_duration: z.number(),
  load_duration: z.number(),
  prompt_eval_count: z.number(),
  eval_count: z.number(),
  eval_duration: z.number(),
});

async function loaded(): Promise<z.infer<typeof ps>["models"]> {
  return ps.parse((await getJson(`${base}/api/ps`)).body).models;
}

async function chat(model: string, numPredict: number): Promise<z.infer<typeof chatFinal>> {
  const reply = await postJson(`${base}/api/chat`, { model, stream: false, messages: user("hello"), options: { num_predict: numPredict } });
  expect(reply.status).toBe(200);
  return chatFinal.parse(reply.body);
}

/** Waits until nothing is loaded (keep-alive expired); bounded by keep-alive plus a margin. */
async function untilNothingLoaded(): Promise<void> {
  await eventually("an empty /api/ps", async () => ((await loaded()).length === 0 ? true : undefined), (env.keepAliveS + 20) * 1000);
}

describe.sequential("Ollama, the real engine", () => {
  it("GET /api/version answers {version} and nothing else", async () => {
    const reply = await getJson(`${base}/api/version`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/) as unknown });
  });

  it("GET /api/tags lists both models, named with the :latest tag, as gguf/llama", async () => {
    const list = tags.parse((await getJson(`${base}/api/tags`)).body).models;
    expect(list.map((m) => m.name).sort()).toEqual([latest(modelA), latest(modelB)].sort());
    for (const m of list) {
      expect(m.model).toBe(m.name);
      expect(m.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(m.details).toMatchObject({ format: "gguf", family: "llama" });
    }
  });

  it("GET /v1/models lists the same names, OpenAI-shaped", async () => {
    const reply = await getJson(`${base}/v1/models`);
    const body = z
      .object({ object: z.literal("list"), data: z.array(z.object({ id: z.string(), object: z.literal("model"), owned_by: z.string() })) })
      .parse(reply.body);
    expect(body.data.map((m) => m.id).sort()).toEqual([latest(modelA), latest(modelB)].sort());
  });

  it("/api/ps is empty before first use, and /api/show does not load the model", async () => {
    expect(await loaded()).toEqual([]);
    const reply = await postJson(`${base}/api/show`, { model: modelA });
    expect(reply.status).toBe(200);
    const show = z
      .object({ model_info: z.record(z.string(), z.unknown()), capabilities: z.array(z.string()), details, template: z.string(), parameters: z.string() })
      .parse(reply.body);
    const arch = show.model_info["general.architecture"];
    expect(arch).toBe("llama");
    expect(show.model_info[`${String(arch)}.context_length`]).toBe(4096);
    expect(show.capabilities).toContain("completion");
    expect(await loaded()).toEqual([]);
  });

  it("/api/chat streams NDJSON: done:false chunks, then one done:true with done_reason and counts", async () => {
    const stream = await openStream(`${base}/api/chat`, { model: modelA, messages: user("hello"), options: { num_predict: 8 } }, "ndjson");
    expect(stream.status).toBe(200);
    expect(stream.contentType).toBe("application/x-ndjson");
    const lines = (await collect(stream.frames)).map((l) => JSON.parse(l) as unknown);
    const last = chatFinal.parse(lines.at(-1));
    const chunks = lines.slice(0, -1).map((l) => chatChunk.parse(l));
    expect(chunks.every((c) => !c.done)).toBe(true);
    // The tiny model never stops on its own, so the reply runs to num_predict.
    expect(last).toMatchObject({ done_reason: "length", eval_count: 8 });
    expect(chunks.map((c) => c.message.content).join("")).toMatch(/^[\x20-\x7e]+$/);
  });

  it("after a request /api/ps lists the model with expires_at in the future, on the CPU", async () => {
    const before = Date.now();
    await chat(modelA, 4);
    const models = await loaded();
    expect(models.map((m) => m.name)).toEqual([latest(modelA)]);
    const [entry] = models;
    expect(Date.parse(entry?.expires_at ?? "")).toBeGreaterThan(before);
    expect(entry).toMatchObject({ size_vram: 0, context_length: 4096 });
  });

  it("/api/ps is empty again once the keep-alive has passed", async () => {
    expect((await loaded()).length).toBe(1);
    await untilNothingLoaded();
  });

  it("a request without messages only loads the model; keep_alive 0 unloads it", async () => {
    const load = await postJson(`${base}/api/generate`, { model: modelA });
    expect(load.body).toMatchObject({ done: true, done_reason: "load", response: "" });
    expect((await loaded()).map((m) => m.name)).toEqual([latest(modelA)]);
    const unload = await postJson(`${base}/api/generate`, { model: modelA, keep_alive: 0 });
    expect(unload.body).toMatchObject({ done: true, done_reason: "unload" });
    await eventually("the unload", async () => ((await loaded()).length === 0 ? true : undefined), 10_000);
  });

  it("/v1/chat/completions answers OpenAI-shaped, finish_reason length at max_tokens", async () => {
    const reply = await postJson(`${base}/v1/chat/completions`, { model: modelA, messages: user("hi"), max_tokens: 4 });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant" }, finish_reason: "length" }],
      usage: { completion_tokens: 4 },
    });
  });

  it("/v1/chat/completions streams SSE chunks, a usage chunk when asked, and ends with data: [DONE]", async () => {
    const stream = await openStream(
      `${base}/v1/chat/completions`,
      { model: modelA, messages: user("hi"), max_tokens: 3, stream: true, stream_options: { include_usage: true } },
      "sse",
    );
    expect(stream.status).toBe(200);
    expect(stream.contentType).toBe("text/event-stream");
    const events = (await collect(stream.frames)).map(parseSse);
    expect(events.at(-1)?.data).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as { object: string; choices: Array<{ finish_reason: string | null }>; usage?: unknown });
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    const usage = chunks.at(-1);
    expect(usage?.choices).toEqual([]);
    expect(usage?.usage).toMatchObject({ completion_tokens: 3 });
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("length");
  });

  it("serves Anthropic /v1/messages natively, non-streaming", async () => {
    const reply = await postJson(`${base}/v1/messages`, { model: modelA, max_tokens: 4, messages: user("hi") }, { "anthropic-version": "2023-06-01" });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      type: "message",
      role: "assistant",
      content: [{ type: "text" }],
      stop_reason: "max_tokens",
      usage: { output_tokens: 4 },
    });
  });

  it("streams Anthropic /v1/messages in the documented event order", async () => {
    const stream = await openStream(`${base}/v1/messages`, { model: modelA, max_tokens: 3, stream: true, messages: user("hi") }, "sse", {
      "anthropic-version": "2023-06-01",
    });
    expect(stream.status).toBe(200);
    expect(stream.contentType).toBe("text/event-stream");
    const events = (await collect(stream.frames)).map(parseSse);
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    for (const e of events) expect((JSON.parse(e.data) as { type: string }).type).toBe(e.event);
    expect(JSON.parse(events.at(-2)?.data ?? "{}")).toMatchObject({ delta: { stop_reason: "max_tokens" }, usage: { output_tokens: 3 } });
  });

  it("has no /v1/messages/count_tokens (plain-text 404)", async () => {
    const reply = await postJson(`${base}/v1/messages/count_tokens`, { model: modelA, messages: user("hi") });
    expect(reply.status).toBe(404);
    expect(reply.contentType).toMatch(/^text\/plain/);
  });

  it.each([
    ["/api/chat", { error: "model 'no-such-model' not found" }],
    ["/v1/chat/completions", { error: { message: "model 'no-such-model' not found", type: "api_error", param: null, code: null } }],
    ["/v1/messages", { type: "error", error: { type: "not_found_error", message: "model 'no-such-model' not found" } }],
  ])("an unknown model on %s is a 404 in that dialect", async (path, body) => {
    const reply = await postJson(`${base}${path}`, { model: "no-such-model", max_tokens: 3, messages: user("hi") });
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject(body);
  });

  it("with OLLAMA_MAX_LOADED_MODELS=1, requesting the second model evicts the first", async () => {
    await chat(modelA, 2);
    expect((await loaded()).map((m) => m.name)).toEqual([latest(modelA)]);
    await chat(modelB, 2);
    expect((await loaded()).map((m) => m.name)).toEqual([latest(modelB)]);
  });

  it("a request for the other model waits until the busy model's request is done, then evicts it", async () => {
    const order: string[] = [];
    const busy = await openStream(`${base}/api/chat`, { model: modelA, messages: user("busy"), options: { num_predict: 3000 } }, "ndjson");
    expect((await busy.frames.next()).done).toBe(false);
    const busyDone = (async () => {
      for await (const line of busy.frames) if ((JSON.parse(line) as { done: boolean }).done) order.push("busy:done");
    })();
    order.push("other:sent");
    const other = postJson(`${base}/api/chat`, { model: modelB, stream: false, messages: user("other"), options: { num_predict: 2 } }).then((r) => {
      order.push("other:answered");
      return r;
    });
    const [, reply] = await Promise.all([busyDone, other]);
    expect(reply.status).toBe(200);
    expect(order).toEqual(["other:sent", "busy:done", "other:answered"]);
    expect((await loaded()).map((m) => m.name)).toEqual([latest(modelB)]);
  });

  it("with OLLAMA_NUM_PARALLEL=1, a second request queues inside: no headers until the first is done, then it succeeds", async () => {
    const order: string[] = [];
    const drain = async (name: string, stream: Awaited<ReturnType<typeof openStream>>): Promise<string> => {
      let reason = "";
      for await (const line of stream.frames) {
        const chunk = JSON.parse(line) as { done: boolean; done_reason?: string };
        if (chunk.done) {
          order.push(`${name}:done`);
          reason = chunk.done_reason ?? "";
        }
      }
      return reason;
    };
    // Long enough that it is still generating when the second request arrives (checked below).
    const first = await openStream(`${base}/api/chat`, { model: modelB, messages: user("first"), options: { num_predict: 3000 } }, "ndjson");
    expect((await first.frames.next()).done).toBe(false);
    const firstDone = drain("first", first);
    order.push("second:sent");
    const second = openStream(`${base}/api/chat`, { model: modelB, messages: user("second"), options: { num_predict: 8 } }, "ndjson").then((s) => {
      order.push("second:headers");
      return s;
    });
    const results = await Promise.all([firstDone, second.then((s) => drain("second", s))]);
    expect(results).toEqual(["length", "length"]);
    expect(order).toEqual(["second:sent", "first:done", "second:headers", "second:done"]);
  });

  it("a client disconnect mid-stream stops generation; a disconnect while queued is logged", async () => {
    // Far more tokens than could ever finish within the test: if generation went on after the
    // disconnect, the single parallel slot would stay busy and the last request would time out.
    const endless = { model: modelB, messages: user("go on"), options: { num_predict: 10_000_000 } };
    const running = await openStream(`${base}/api/chat`, endless, "ndjson");
    for (let i = 0; i < 3; i++) expect((await running.frames.next()).done).toBe(false);

    const abortLine = "aborting completion request due to client closing the connection";
    const before = logLines(env.ollamaLog).filter((l) => l.includes(abortLine)).length;
    const queued = fetch(`${base}/api/chat`, {
      method: "POST",
      body: JSON.stringify({ ...endless, messages: user("queued") }),
      signal: AbortSignal.timeout(2_000),
    });
    await expect(queued).rejects.toThrow();
    await eventually(
      "the engine to log the queued request's disconnect",
      () => Promise.resolve(logLines(env.ollamaLog).filter((l) => l.includes(abortLine)).length > before ? true : undefined),
      10_000,
    );

    running.abort();
    const next = await chat(modelB, 4);
    expect(next.done_reason).toBe("length");
  });
});
