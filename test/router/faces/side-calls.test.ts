// A face's tokenizer calls to a backend (count_tokens here: vLLM's POST /tokenize) are backend calls
// like any other: they wait for a slot of the backend's, and they stop when the client leaves.
import { describe, expect, it } from "vitest";
import { config, routerFixture, until, untilAllUp } from "../harness.js";

const body = JSON.stringify({ model: "coder", messages: [{ role: "user", content: "Count these words, please." }] });

function countTokens(url: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}/v1/messages/count_tokens`, { method: "POST", headers: { "content-type": "application/json" }, body, ...(signal ? { signal } : {}) });
}

describe("a face's tokenizer call", () => {
  const fx = routerFixture();

  it("waits for a slot of the backend's: with its one slot taken and no queue, count_tokens spills and is refused busy", async () => {
    const vllm = await fx.fake({ engine: "vllm", models: ["m"] });
    vllm.faults.set({ mode: "hang", paths: ["/v1/chat/completions"] });
    const run = await fx.router(
      config({
        backends: { a: { engine: "vllm", url: vllm.url, maxConcurrency: 1, queue: { maxLength: 0 } } },
        aliases: { coder: { targets: [{ backend: "a", model: "m" }] } },
      }),
    );
    await untilAllUp(run);
    const holder = new AbortController();
    const held = fetch(`${run.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "coder", messages: [{ role: "user", content: "hi" }] }),
      signal: holder.signal,
    }).catch(() => undefined);
    await until(() => run.router.registry.get("a")?.slots.inFlight === 1, "the slot taken");
    const res = await countTokens(run.url);
    expect(res.status).toBe(503);
    expect(vllm.stats.requests["/tokenize"] ?? 0).toBe(0);
    holder.abort();
    await held;
  });

  it("ends when the client leaves", async () => {
    const vllm = await fx.fake({ engine: "vllm", models: ["m"] });
    vllm.faults.set({ mode: "hang", paths: ["/tokenize"] });
    // The side call's own timeout (the probe timeout, here 60 s) is far beyond the wait below.
    const run = await fx.router(
      config({
        health: { intervalMs: 50, timeoutMs: 60_000, maxIntervalMs: 200 },
        backends: { a: { engine: "vllm", url: vllm.url } },
        aliases: { coder: { targets: [{ backend: "a", model: "m" }] } },
      }),
    );
    await untilAllUp(run);
    const client = new AbortController();
    const asked = countTokens(run.url, client.signal).catch(() => undefined);
    await until(() => (vllm.stats.requests["/tokenize"] ?? 0) === 1 && vllm.stats.inFlight === 1, "the tokenizer call under way");
    client.abort();
    await asked;
    await until(() => vllm.stats.inFlight === 0, "the tokenizer call ended");
  });
});
