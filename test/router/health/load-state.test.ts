import { describe, expect, it } from "vitest";
import { config, routerFixture, until, untilModelsKnown } from "../harness.js";

const ask = { messages: [{ role: "user" as const, content: "hello" }] };
const longReply = () => ({ content: Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ") });

describe("load state: warm preference, concurrency, disconnects, mid-stream failures", () => {
  const fx = routerFixture();

  it("prefers a backend with the model loaded over one that would have to load it", async () => {
    const cold = await fx.fake({ engine: "ollama", models: ["qwen3:8b"], loadDelayMs: 300 });
    const warm = await fx.fake({ engine: "ollama", models: ["qwen3:8b"], loaded: ["qwen3:8b"] });
    const r = await fx.router(
      config({
        backends: { cold: { engine: "ollama", url: cold.url }, warm: { engine: "ollama", url: warm.url } },
        aliases: {
          coder: {
            targets: [
              { backend: "cold", model: "qwen3:8b" },
              { backend: "warm", model: "qwen3:8b" },
            ],
          },
        },
      }),
    );
    await until(() => r.router.registry.get("warm")?.model("qwen3:8b")?.loaded === true && r.router.registry.get("cold")?.models !== undefined, "ps probes");
    expect(r.router.registry.get("cold")?.model("qwen3:8b")).toMatchObject({ installed: true, loaded: false });
    const res = await r
      .client()
      .chat.completions.create({ model: "coder", ...ask })
      .withResponse();
    expect(res.response.headers.get("x-router-backend")).toBe("warm");
    expect(cold.stats.loadsStarted).toBe(0);
    const status = (await (await fetch(`${r.url}/status.json`)).json()) as {
      backends: { name: string; models: { name: string; loaded: boolean; expires_at: string | null }[] }[];
    };
    const warmModels = status.backends.find((b) => b.name === "warm")?.models;
    expect(warmModels?.[0]).toMatchObject({ name: "qwen3:8b", loaded: true });
    expect(warmModels?.[0]?.expires_at).toBeTruthy();
  });

  it("never exceeds maxConcurrency: extra requests queue and all succeed", async () => {
    const o = await fx.fake({ engine: "ollama", models: ["m:1"], loaded: ["m:1"], numParallel: 4, chunkDelayMs: 5 });
    const r = await fx.router(
      config({
        backends: { o: { engine: "ollama", url: o.url, maxConcurrency: 1, queue: { maxLength: 16, maxWaitMs: 20_000 } } },
        aliases: { coder: { targets: [{ backend: "o", model: "m:1" }] } },
        // The fake counts probes as in-flight requests too: probe once, then stay quiet.
        health: { intervalMs: 60_000, timeoutMs: 1_000, maxIntervalMs: 60_000 },
      }),
    );
    await until(() => r.router.registry.get("o")?.lastProbeAt !== undefined, "first probe");
    await o.idle();
    const client = r.client();
    const results = await Promise.all(Array.from({ length: 5 }, () => client.chat.completions.create({ model: "coder", ...ask })));
    expect(results).toHaveLength(5);
    expect(o.stats.maxInFlight).toBe(1);
  });

  it("spills to the next target when a backend's queue is full", async () => {
    const a = await fx.fake({ engine: "vllm", models: ["m"], chunkDelayMs: 20, reply: longReply });
    const b = await fx.fake({ engine: "vllm", models: ["m"] });
    const r = await fx.router(
      config({
        backends: { a: { engine: "vllm", url: a.url, maxConcurrency: 1, queue: { maxLength: 0, maxWaitMs: 1_000 } }, b: { engine: "vllm", url: b.url } },
        aliases: {
          coder: {
            targets: [
              { backend: "a", model: "m" },
              { backend: "b", model: "m" },
            ],
          },
        },
        health: { intervalMs: 60_000, timeoutMs: 1_000, maxIntervalMs: 60_000 },
      }),
    );
    await until(() => r.router.registry.all().every((x) => x.lastProbeAt !== undefined), "first probes");
    await a.idle();
    const client = r.client();
    const first = await client.chat.completions.create({ model: "coder", ...ask, stream: true });
    const it1 = first[Symbol.asyncIterator]();
    await it1.next();
    const second = await client.chat.completions.create({ model: "coder", ...ask }).withResponse();
    expect(second.response.headers.get("x-router-backend")).toBe("b");
    for (;;) if ((await it1.next()).done) break;
    expect(a.stats.maxInFlight).toBe(1);
  });

  it("aborts the upstream generation when the client disconnects mid-stream", async () => {
    const v = await fx.fake({ engine: "vllm", models: ["m"], chunkDelayMs: 30, reply: longReply });
    const r = await fx.router(config({ backends: { v: { engine: "vllm", url: v.url } }, aliases: { coder: { targets: [{ backend: "v", model: "m" }] } } }));
    const ac = new AbortController();
    const stream = await r.client().chat.completions.create({ model: "coder", ...ask, stream: true }, { signal: ac.signal });
    let chunks = 0;
    try {
      for await (const _ of stream) {
        if (++chunks === 2) ac.abort();
      }
    } catch {
      // the SDK reports the abort
    }
    await until(() => v.stats.generationsAborted === 1 && v.stats.inFlight === 0, "upstream abort");
    expect(v.stats.generationsCompleted).toBe(0);
    await until(() => r.router.inFlight === 0, "router idle");
    expect(r.router.registry.get("v")?.inFlight).toBe(0);
  });

  it("ends a stream that fails after its first byte with an in-band error, without trying another backend", async () => {
    const a = await fx.fake({ engine: "vllm", models: ["m"] });
    const b = await fx.fake({ engine: "vllm", models: ["m"] });
    const r = await fx.router(
      config({
        backends: { a: { engine: "vllm", url: a.url }, b: { engine: "vllm", url: b.url } },
        aliases: {
          coder: {
            targets: [
              { backend: "a", model: "m" },
              { backend: "b", model: "m" },
            ],
          },
        },
        timeouts: { idleMs: 300 },
      }),
    );
    a.faults.set({ mode: "stall-after-headers" });
    const stream = await r.client().chat.completions.create({ model: "coder", ...ask, stream: true });
    let received = 0;
    const err = await (async () => {
      for await (const _ of stream) received++;
    })().catch((e: unknown) => e);
    expect(received).toBeGreaterThan(0);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain("failed mid-response");
    expect(b.stats.requests["/v1/chat/completions"] ?? 0).toBe(0);
  });

  it("reports a llama.cpp server that is loading as warming, not down", async () => {
    const l = await fx.fake({ engine: "llamacpp", models: ["gguf"], loadDelayMs: 60_000 });
    const r = await fx.router(
      config({ backends: { l: { engine: "llamacpp", url: l.url } }, aliases: { coder: { targets: [{ backend: "l", model: "gguf" }] } } }),
    );
    await until(() => r.router.registry.get("l")?.lastProbeAt !== undefined, "probe");
    expect(r.router.registry.get("l")?.health).toBe("warming");
  });

  it("learns llama.cpp's n_ctx and vLLM's max_model_len", async () => {
    const l = await fx.fake({ engine: "llamacpp", models: ["gguf"], contextLength: 8192 });
    const v = await fx.fake({ engine: "vllm", models: ["hf"], contextLength: 32768 });
    const r = await fx.router(
      config({
        backends: { l: { engine: "llamacpp", url: l.url }, v: { engine: "vllm", url: v.url } },
        aliases: { small: { targets: [{ backend: "l", model: "gguf" }] }, big: { targets: [{ backend: "v", model: "hf" }] } },
      }),
    );
    await untilModelsKnown(r);
    expect(r.router.registry.get("l")?.contextLength("gguf")).toBe(8192);
    expect(r.router.registry.get("v")?.contextLength("hf")).toBe(32768);
  });
});

describe("cold loads", () => {
  const fx = routerFixture();

  it("keeps a waiting stream alive with SSE comments during a cold load, then streams normally", async () => {
    const o = await fx.fake({ engine: "ollama", models: ["qwen3:8b"], loadDelayMs: 400 });
    const r = await fx.router(
      config({
        backends: { o: { engine: "ollama", url: o.url } },
        aliases: { coder: { targets: [{ backend: "o", model: "qwen3:8b" }] } },
        timeouts: { keepAliveMs: 50 },
      }),
    );
    await until(() => r.router.registry.get("o")?.models !== undefined, "probe");
    const res = await fetch(`${r.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "coder", ...ask, stream: true }),
    });
    const text = await res.text();
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(text.startsWith(": keep-alive\n\n")).toBe(true);
    expect(text).toContain("data: [DONE]");
    expect(o.stats.loadsCompleted).toBe(1);
  });

  it("does not abort a cold load because the client that started it left", async () => {
    const o = await fx.fake({ engine: "ollama", models: ["qwen3:8b"], loadDelayMs: 300 });
    const r = await fx.router(
      config({ backends: { o: { engine: "ollama", url: o.url } }, aliases: { coder: { targets: [{ backend: "o", model: "qwen3:8b" }] } } }),
    );
    await until(() => r.router.registry.get("o")?.model("qwen3:8b")?.installed === true, "probe");
    const ac = new AbortController();
    const leaving = r
      .client()
      .chat.completions.create({ model: "coder", ...ask }, { signal: ac.signal })
      .catch(() => "left");
    await until(() => o.stats.loadsStarted === 1, "load started");
    const staying = r.client().chat.completions.create({ model: "coder", ...ask });
    ac.abort();
    expect(await leaving).toBe("left");
    const answer = await staying;
    expect(answer.choices[0]?.message.content).toBeTruthy();
    expect(o.stats.loadsAborted).toBe(0);
    expect(o.stats.loadsCompleted).toBe(1);
    await until(() => r.router.inFlight === 0 && o.stats.inFlight === 0, "all settled");
  });
});
