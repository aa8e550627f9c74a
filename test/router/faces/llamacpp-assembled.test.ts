// A non-streamed request to llama.cpp is streamed from the engine and assembled by the router:
// llama-server stops a generation whose client left only while it streams (ggml-org/llama.cpp#9273;
// the fake models that with cancelNonStreaming: false). The client still gets one whole JSON body,
// and since it gets nothing before the answer is complete, a backend failing mid-answer fails over.
import OpenAI from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import type { FakeEngine } from "../../../tools/fakes/index.js";
import { config, routerFixture, until, untilAllUp, type Running } from "../harness.js";
import { richReply, TOOL_ARGS } from "./harness.js";

const words = (n: number): string => Array.from({ length: n }, (_, i) => `word${i}`).join(" ");

describe("non-streamed requests to llama.cpp, streamed and assembled", () => {
  const fx = routerFixture("all");
  let rich: FakeEngine;
  let slow: FakeEngine;
  let flaky: FakeEngine;
  let spare: FakeEngine;
  let r: Running;

  beforeAll(async () => {
    rich = await fx.fake({ engine: "llamacpp", models: ["rich"], reply: richReply });
    slow = await fx.fake({ engine: "llamacpp", models: ["slow"], chunkDelayMs: 20, reply: () => ({ content: words(200) }) });
    flaky = await fx.fake({ engine: "llamacpp", models: ["m"] });
    spare = await fx.fake({ engine: "llamacpp", models: ["m"] });
    r = await fx.router(
      config({
        backends: {
          rich: { engine: "llamacpp", url: rich.url },
          slow: { engine: "llamacpp", url: slow.url },
          flaky: { engine: "llamacpp", url: flaky.url },
          spare: { engine: "llamacpp", url: spare.url },
        },
        aliases: {
          rich: { targets: [{ backend: "rich", model: "rich" }] },
          slow: { targets: [{ backend: "slow", model: "slow" }] },
          pair: {
            targets: [
              { backend: "flaky", model: "m" },
              { backend: "spare", model: "m" },
            ],
          },
        },
        timeouts: { idleMs: 300 },
      }),
    );
    await untilAllUp(r);
  });

  it("asks the engine for a stream and answers the client with the same whole completion the engine would have sent", async () => {
    const request = { messages: [{ role: "user" as const, content: "weather in Paris?" }], max_tokens: 64 };
    const viaRouter = await r.client().chat.completions.create({ model: "rich", ...request });
    expect(rich.stats.lastRequestBody).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const direct = await new OpenAI({ baseURL: `${rich.url}/v1`, apiKey: "none", maxRetries: 0 }).chat.completions.create({ model: "rich", ...request });
    expect(viaRouter.object).toBe("chat.completion");
    const [got, want] = [viaRouter.choices[0], direct.choices[0]];
    expect(got?.message.content).toBe(want?.message.content);
    expect((got?.message as { reasoning_content?: string }).reasoning_content).toBe((want?.message as { reasoning_content?: string }).reasoning_content);
    expect(got?.message.tool_calls?.map((t) => (t.type === "function" ? [t.function.name, JSON.parse(t.function.arguments)] : t.type))).toEqual([
      ["get_weather", TOOL_ARGS],
    ]);
    expect(got?.finish_reason).toBe(want?.finish_reason);
    expect(viaRouter.usage).toEqual(direct.usage);
  });

  it("assembles text completions too", async () => {
    const res = await r.client().completions.create({ model: "slow", prompt: "count", max_tokens: 5 });
    expect(slow.stats.lastRequestBody).toMatchObject({ stream: true });
    expect(res.object).toBe("text_completion");
    expect(res.choices[0]?.text.split(" ").filter(Boolean).length).toBeGreaterThan(0);
    expect(res.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("stops the engine's generation when the client leaves mid-answer", async () => {
    const before = { aborted: slow.stats.generationsAborted, completed: slow.stats.generationsCompleted };
    const ac = new AbortController();
    const pending = r
      .client()
      .chat.completions.create({ model: "slow", messages: [{ role: "user", content: "long" }], max_tokens: 200 }, { signal: ac.signal });
    await until(() => slow.stats.activeGenerations === 1, "the generation to start");
    ac.abort();
    await expect(pending).rejects.toThrow();
    await until(() => slow.stats.generationsAborted > before.aborted, "the engine to stop generating");
    expect(slow.stats.generationsCompleted).toBe(before.completed);
  });

  it("fails over when the engine stalls mid-answer: the client had no byte yet and gets the other target's whole answer", async () => {
    flaky.faults.set({ mode: "stall-after-headers" });
    try {
      const { data, response } = await r
        .client()
        .chat.completions.create({ model: "pair", messages: [{ role: "user", content: "hi" }] })
        .withResponse();
      expect(response.headers.get("x-router-backend")).toBe("spare");
      expect(data.choices[0]?.message.content).toEqual(expect.any(String));
      expect(data.choices[0]?.finish_reason).toBe("stop");
    } finally {
      flaky.faults.clear();
    }
  });
});
