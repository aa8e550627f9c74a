// The per-model metrics (router/telemetry/model-metrics.ts) through a router in front of the engine
// fakes: every face, every engine kind, streamed and whole. Token counts are the engines' own (each
// fake reports 7 prompt and 5 completion tokens), never estimated; an answer without usage is counted
// as unknown, never as zero.
import { beforeAll, describe, expect, it } from "vitest";
import type { FakeEngine } from "../../../tools/fakes/index.js";
import { config, routerFixture, untilModelsKnown, type Running } from "../harness.js";

const reply = () => ({ content: "one two three four five", promptTokens: 7, completionTokens: 5 });

/** The sum of a metric's samples whose labels include `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

async function post(url: string, body: unknown): Promise<string> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${text}`);
  return text;
}

describe("per-model metrics", () => {
  const fx = routerFixture("all");
  const engines: Record<string, FakeEngine> = {};
  let r: Running;

  beforeAll(async () => {
    engines.vllm = await fx.fake({ engine: "vllm", models: ["m"], reply, promptTokensDetails: true, chunkDelayMs: 2 });
    engines.llamacpp = await fx.fake({ engine: "llamacpp", models: ["m.gguf"], reply });
    engines.ollama = await fx.fake({ engine: "ollama", models: ["m", "other"], loaded: [], loadDelayMs: 30, maxLoadedModels: 1, reply, anthropic: true });
    engines.stall = await fx.fake({ engine: "vllm", models: ["m"], reply });
    r = await fx.router(
      config({
        backends: Object.fromEntries(Object.entries(engines).map(([name, e]) => [name, { engine: e.options.engine, url: e.url }])),
        aliases: {
          v: { targets: [{ backend: "vllm", model: "m" }] },
          l: { targets: [{ backend: "llamacpp", model: "m.gguf" }] },
          o: { targets: [{ backend: "ollama", model: "m" }] },
          other: { targets: [{ backend: "ollama", model: "other" }] },
          stall: { targets: [{ backend: "stall", model: "m" }] },
        },
        timeouts: { idleMs: 300 },
        retries: { max: 0 },
      }),
    );
    await untilModelsKnown(r);
  });

  const metrics = async (): Promise<string> => (await fetch(r.url + "/metrics")).text();

  it("counts the engines' tokens on every face, streamed and whole, for every engine kind", async () => {
    const sent: Record<string, number> = { v: 0, l: 0, o: 0 };
    for (const alias of ["v", "l", "o"]) {
      const messages = [{ role: "user", content: "hello there" }];
      for (const stream of [false, true]) {
        await post(r.url + "/v1/chat/completions", { model: alias, messages, stream, ...(stream ? { stream_options: { include_usage: true } } : {}) });
        await post(r.url + "/v1/completions", { model: alias, prompt: "hello", stream, ...(stream ? { stream_options: { include_usage: true } } : {}) });
        await post(r.url + "/v1/messages", { model: alias, max_tokens: 50, messages, stream });
        await post(r.url + "/api/chat", { model: alias, messages, stream });
        await post(r.url + "/api/generate", { model: alias, prompt: "hello", stream });
        sent[alias]! += 5;
      }
    }
    const text = await metrics();
    for (const [alias, backend, model] of [
      ["v", "vllm", "m"],
      ["l", "llamacpp", "m.gguf"],
      ["o", "ollama", "m"],
    ] as const) {
      const labels = { alias, backend, model };
      expect(sample(text, "router_tokens_total", { ...labels, kind: "prompt" }), alias).toBe(7 * sent[alias]!);
      expect(sample(text, "router_tokens_total", { ...labels, kind: "completion" }), alias).toBe(5 * sent[alias]!);
      expect(sample(text, "router_usage_unknown_total", labels), alias).toBe(0);
      // Every streamed answer (and llama.cpp's assembled ones, streamed from the engine) has its first token timed.
      expect(sample(text, "router_time_to_first_token_seconds_count", labels), alias).toBeGreaterThanOrEqual(5);
      expect(sample(text, "router_generation_tokens_per_second_count", labels), alias).toBeGreaterThan(0);
    }
    // Cached prompt tokens where the engine says so: llama.cpp's timings.cache_n (the same prompt again is all cached).
    expect(sample(text, "router_tokens_total", { alias: "l", kind: "cached_prompt" })).toBeGreaterThan(0);
    // vLLM's relayed streams are timed token to token.
    expect(sample(text, "router_time_per_output_token_seconds_count", { alias: "v" })).toBeGreaterThan(0);
    // The first request to the cold Ollama model waited for its load, which Ollama timed.
    expect(sample(text, "router_model_loads_total", { backend: "ollama", model: "m" })).toBe(1);
    expect(sample(text, "router_model_load_seconds_count", { backend: "ollama", model: "m" })).toBe(1);
    expect(sample(text, "router_load_waits_total", { alias: "o", backend: "ollama", model: "m" })).toBe(1);
    expect(sample(text, "router_model_resident", { backend: "ollama", model: "m" })).toBe(1);
    expect(sample(text, "router_model_resident", { backend: "vllm", model: "m" })).toBe(1);
    expect(text).toContain('router_backend_queue_depth{backend="ollama"} 0');
  });

  it("counts an answer without usage as unknown (absent), not as zero tokens", async () => {
    const before = await metrics();
    // Ollama's legacy /api/embeddings answers only the vector: no count at all.
    await post(r.url + "/api/embeddings", { model: "o", prompt: "hi" });
    const after = await metrics();
    const labels = { alias: "o", backend: "ollama", model: "m" };
    expect(
      sample(after, "router_usage_unknown_total", { ...labels, reason: "absent" }) -
        sample(before, "router_usage_unknown_total", { ...labels, reason: "absent" }),
    ).toBe(1);
    expect(sample(after, "router_tokens_total", labels)).toBe(sample(before, "router_tokens_total", labels));
  });

  it("counts a stream cut before its usage as unknown (cut)", async () => {
    engines.stall!.faults.set({ mode: "stall-after-headers" });
    await post(r.url + "/v1/chat/completions", {
      model: "stall",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    // A backend that fails before answering is an error of the alias and of the backend on /status.
    engines.stall!.faults.set({ mode: "status", status: 500 });
    const failed = await fetch(r.url + "/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "stall", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(failed.status).toBe(502);
    await failed.text();
    engines.stall!.faults.clear();
    const text = await metrics();
    expect(sample(text, "router_usage_unknown_total", { alias: "stall", reason: "cut" })).toBe(1);
    expect(sample(text, "router_tokens_total", { alias: "stall" })).toBe(0);
  });

  it("counts an eviction /api/ps showed, and the load of the model that took its place", async () => {
    await post(r.url + "/api/generate", { model: "other", prompt: "hello", stream: false });
    let text = "";
    for (let i = 0; i < 100 && sample(text, "router_model_evictions_total", { backend: "ollama", model: "m" }) === 0; i++) {
      await new Promise((res) => setTimeout(res, 50));
      text = await metrics();
    }
    expect(sample(text, "router_model_evictions_total", { backend: "ollama", model: "m" })).toBe(1);
    expect(sample(text, "router_model_loads_total", { backend: "ollama", model: "other" })).toBe(1);
    expect(sample(text, "router_model_resident", { backend: "ollama", model: "m" })).toBe(0);
    expect(sample(text, "router_model_resident", { backend: "ollama", model: "other" })).toBe(1);
  });

  it("shows the last five minutes per alias and per backend on /status.json and /status", async () => {
    const s = (await (await fetch(r.url + "/status.json")).json()) as {
      aliases: { name: string; last_5m: Record<string, number | null> }[];
      backends: { name: string; last_5m: Record<string, number | null> }[];
    };
    const alias = (n: string) => s.aliases.find((a) => a.name === n)?.last_5m;
    const backend = (n: string) => s.backends.find((b) => b.name === n)?.last_5m;
    // 10 requests each in the first test, an embedding on o, two failures on stall.
    expect(alias("v")).toMatchObject({ requests: 10, errors: 0, loads: 0, completion_tokens: 50 });
    expect(alias("o")).toMatchObject({ requests: 11, errors: 0, loads: 1, completion_tokens: 50 });
    expect(alias("stall")).toMatchObject({ requests: 2, errors: 2 });
    expect(backend("stall")).toMatchObject({ requests: 2, errors: 2 });
    expect(backend("ollama")).toMatchObject({ requests: 12, loads: 2, completion_tokens: 55 });
    for (const a of ["v", "l", "o"]) {
      expect(alias(a)?.p95_ttft_s, a).toBeGreaterThan(0);
      expect(alias(a)?.tokens_per_s, a).toBeGreaterThan(0);
    }
    const html = await (await fetch(r.url + "/status")).text();
    expect(html).toContain("Last five minutes");
    expect(html).toMatch(/backend <b>ollama<\/b><\/td><td>12<\/td>/);
  });
});
