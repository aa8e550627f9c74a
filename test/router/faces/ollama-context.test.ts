// The Ollama face fits num_predict into a translated target's context, as the Anthropic face fits
// max_tokens: vLLM refuses prompt + max_tokens beyond max_model_len, so an unclamped request would fail.
import { beforeAll, describe, expect, it } from "vitest";
import type { FakeEngine } from "../../../tools/fakes/index.js";
import { config, facesFixture, untilModelsKnown, type Running } from "./harness.js";

describe("Ollama face: context-aware output limits", () => {
  let vllmSmall: FakeEngine;
  let llamaSmall: FakeEngine;
  let vllmBig: FakeEngine;
  let r: Running;
  const fx = facesFixture();

  beforeAll(async () => {
    vllmSmall = await fx.fake({ engine: "vllm", models: ["small"], contextLength: 4096 });
    llamaSmall = await fx.fake({ engine: "llamacpp", models: ["small"], contextLength: 4096 });
    vllmBig = await fx.fake({ engine: "vllm", models: ["big"], contextLength: 32768 });
    r = await fx.router(
      config({
        backends: {
          "vllm-small": { engine: "vllm", url: vllmSmall.url },
          "llama-small": { engine: "llamacpp", url: llamaSmall.url },
          "vllm-big": { engine: "vllm", url: vllmBig.url },
        },
        aliases: {
          small: { targets: [{ backend: "vllm-small", model: "small" }] },
          llama: { targets: [{ backend: "llama-small", model: "small" }] },
          // The small target first: a prompt it cannot hold goes to the big one.
          spill: {
            targets: [
              { backend: "vllm-small", model: "small" },
              { backend: "vllm-big", model: "big" },
            ],
          },
        },
      }),
    );
    await untilModelsKnown(r);
  });

  // About 1500 tokens for the fakes' tokenizer (a word is a token): fits 4096, not with 32000 more.
  const medium = "word ".repeat(1500);
  const huge = "word ".repeat(6000);

  it.each([
    ["chat over vLLM", "small", () => vllmSmall, "chat"],
    ["chat over llama.cpp", "llama", () => llamaSmall, "chat"],
    ["generate over vLLM", "small", () => vllmSmall, "generate"],
    ["raw generate over llama.cpp", "llama", () => llamaSmall, "raw"],
  ] as const)("%s: num_predict 32000 is clamped to what the prompt leaves", async (_name, alias, engine, kind) => {
    const client = r.ollama();
    const options = { num_predict: 32000 };
    if (kind === "chat") {
      const res = await client.chat({ model: alias, messages: [{ role: "user", content: medium }], options, stream: false });
      expect(res.done).toBe(true);
    } else {
      const res = await client.generate({ model: alias, prompt: medium, options, stream: false, ...(kind === "raw" ? { raw: true } : {}) });
      expect(res.done).toBe(true);
    }
    const sent = engine().stats.lastRequestBody as { max_tokens?: number };
    expect(sent.max_tokens).toBeGreaterThan(1000);
    expect(sent.max_tokens).toBeLessThan(4096 - 1500);
  });

  it("a small num_predict passes unchanged, and none at all sets no max_tokens", async () => {
    await r.ollama().chat({ model: "small", messages: [{ role: "user", content: "hi" }], options: { num_predict: 64 }, stream: false });
    expect((vllmSmall.stats.lastRequestBody as { max_tokens?: number }).max_tokens).toBe(64);
    await r.ollama().chat({ model: "small", messages: [{ role: "user", content: medium }], options: { num_predict: -1 }, stream: false });
    expect((vllmSmall.stats.lastRequestBody as { max_tokens?: number }).max_tokens).toBeUndefined();
  });

  it("a prompt too big for the first target goes to one that can hold it", async () => {
    const before = vllmBig.stats.requests["/v1/chat/completions"] ?? 0;
    const res = await r.ollama().chat({ model: "spill", messages: [{ role: "user", content: huge }], options: { num_predict: 32000 }, stream: false });
    expect(res.done).toBe(true);
    expect(vllmBig.stats.requests["/v1/chat/completions"]).toBe(before + 1);
    expect((vllmBig.stats.lastRequestBody as { max_tokens: number }).max_tokens).toBeLessThan(32768 - 6000);
  });

  it.each([
    ["chat", "small"],
    ["generate", "llama"],
  ] as const)("%s with a prompt no target can hold answers Ollama's context error", async (kind, alias) => {
    const client = r.ollama();
    const call =
      kind === "chat"
        ? client.chat({ model: alias, messages: [{ role: "user", content: huge }], stream: true })
        : client.generate({ model: alias, prompt: huge, stream: false });
    const err = (await call.then(
      () => undefined,
      (e: unknown) => e,
    )) as { status_code?: number; error?: string } | undefined;
    expect(err?.status_code).toBe(400);
    expect(err?.error).toMatch(/^the input length exceeds the context length \(\d+ prompt tokens, context 4096\)$/);
  });
});
