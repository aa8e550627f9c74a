import { beforeAll, describe, expect, it } from "vitest";
import type { FakeEngine } from "../../../tools/fakes/index.js";
import { config, routerFixture, until, type Running } from "../harness.js";

describe("OpenAI face: alias rewrite, streaming, model list", () => {
  let vllm: FakeEngine;
  let r: Running;
  const fx = routerFixture("all");

  beforeAll(async () => {
    vllm = await fx.fake({ engine: "vllm", models: ["Qwen/Qwen3-8B"], contextLength: 32768 });
    r = await fx.router(
      config({
        backends: { spark: { engine: "vllm", url: vllm.url } },
        aliases: { coder: { targets: [{ backend: "spark", model: "Qwen/Qwen3-8B" }], description: "code" } },
      }),
    );
    await until(() => r.router.registry.get("spark")?.health === "up", "first probe");
  });

  it("rewrites the alias to the target's model and says who served", async () => {
    const res = await r
      .client()
      .chat.completions.create({ model: "coder", messages: [{ role: "user", content: "hello" }] })
      .withResponse();
    expect(res.data.choices[0]?.message.content).toBeTruthy();
    expect((vllm.stats.lastRequestBody as { model: string }).model).toBe("Qwen/Qwen3-8B");
    expect(res.response.headers.get("x-router-backend")).toBe("spark");
    expect(res.response.headers.get("x-router-model")).toBe("Qwen/Qwen3-8B");
  });

  it("streams SSE through, with usage, under /api/v1 too", async () => {
    const stream = await r.client("k", "/api/v1").chat.completions.create({
      model: "coder",
      messages: [{ role: "user", content: "stream please" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage?.total_tokens ?? usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usage).toBeGreaterThan(0);
  });

  it("serves completions and embeddings", async () => {
    const c = await r.client().completions.create({ model: "coder", prompt: "once upon" });
    expect(c.choices[0]?.text).toBeTruthy();
    const e = await r.client().embeddings.create({ model: "coder", input: "vector me" });
    expect(e.data[0]?.embedding.length).toBeGreaterThan(0);
  });

  it("lists aliases with their learned context length", async () => {
    await until(() => r.router.registry.get("spark")?.model("Qwen/Qwen3-8B")?.contextLength !== undefined, "model list");
    const models = await r.client().models.list();
    const coder = models.data.find((m) => m.id === "coder") as unknown as { context_length?: number } | undefined;
    expect(coder?.context_length).toBe(32768);
  });

  it("answers an unknown alias with 404 naming the available ones", async () => {
    const err = await r
      .client()
      .chat.completions.create({ model: "nope", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404, error: { code: "model_not_found" } });
    expect((err as Error).message).toContain("coder");
  });

  it("logs one JSON line per request without the prompt", async () => {
    const before = r.logs.length;
    await r.client().chat.completions.create({ model: "coder", messages: [{ role: "user", content: "secret-prompt-text" }] });
    const lines = r.logs.slice(before);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
    expect(line).toMatchObject({ msg: "request", alias: "coder", backend: "spark", status: 200 });
    expect(lines[0]).not.toContain("secret-prompt-text");
  });
});
