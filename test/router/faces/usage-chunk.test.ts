// An OpenAI-face stream whose client did not ask for usage: the router asks the engine for it (so its
// tokens are counted) and takes the extra usage-only chunk out of what the client gets
// (router/faces/usage-chunk.ts); a client that asked gets it as the engine sent it.
import { beforeAll, describe, expect, it } from "vitest";
import { OpenAIModelEcho } from "../../../router/faces/echo-model.js";
import { UsageChunkDrop } from "../../../router/faces/usage-chunk.js";
import { config, routerFixture, untilModelsKnown, type Running } from "../harness.js";

const chunk = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`;
const content = [
  chunk({ id: "c", object: "chat.completion.chunk", model: "m", choices: [{ index: 0, delta: { role: "assistant", content: "" } }] }),
  chunk({ id: "c", object: "chat.completion.chunk", model: "m", choices: [{ index: 0, delta: { content: 'say "usage": {' } }] }),
  chunk({ id: "c", object: "chat.completion.chunk", model: "m", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
].join("");
const usage = chunk({ id: "c", object: "chat.completion.chunk", model: "m", choices: [], usage: { prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 } });
const done = "data: [DONE]\n\n";

function run(t: UsageChunkDrop, parts: readonly Buffer[]): string {
  return parts.map((p) => t.push(p).toString()).join("") + t.end();
}

describe("UsageChunkDrop", () => {
  const stream = Buffer.from(content + usage + done);

  it("takes out the usage-only chunk wherever the stream is split", () => {
    for (let at = 1; at < stream.length; at++)
      expect(run(new UsageChunkDrop(), [stream.subarray(0, at), stream.subarray(at)]), `split at ${at}`).toBe(content + done);
    expect(
      run(
        new UsageChunkDrop(),
        [...stream].map((b) => Buffer.from([b])),
      ),
    ).toBe(content + done);
  });

  it("keeps events that end in CRLF, and takes out a usage chunk among them", () => {
    const crlf = (s: string): string => s.replaceAll("\n\n", "\r\n\r\n");
    expect(run(new UsageChunkDrop(), [Buffer.from(crlf(content + usage + done))])).toBe(crlf(content + done));
  });

  it("runs the model echo first", () => {
    expect(run(new UsageChunkDrop(new OpenAIModelEcho("m", "coder")), [stream])).toBe((content + done).replaceAll('"model":"m"', '"model":"coder"'));
  });

  it("passes a chunk of whole events without usage as the same Buffer", () => {
    const b = Buffer.from(content);
    expect(new UsageChunkDrop().push(b)).toBe(b);
  });
});

describe("through the router", () => {
  const fx = routerFixture("all");
  let r: Running;

  beforeAll(async () => {
    const vllm = await fx.fake({ engine: "vllm", models: ["m"], reply: () => ({ content: "one two three", promptTokens: 7, completionTokens: 3 }) });
    r = await fx.router(
      config({
        backends: { vllm: { engine: "vllm", url: vllm.url } },
        aliases: { coder: { targets: [{ backend: "vllm", model: "m" }] }, m: { targets: [{ backend: "vllm", model: "m" }] } },
      }),
    );
    await untilModelsKnown(r);
  });

  async function stream(body: Record<string, unknown>): Promise<string> {
    const res = await fetch(r.url + "/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], stream: true, ...body }),
    });
    return res.text();
  }

  const tokens = async (alias: string): Promise<string[]> =>
    (await (await fetch(r.url + "/metrics")).text()).split("\n").filter((l) => l.startsWith(`router_tokens_total{alias="${alias}"`));

  it.each(["coder", "m"])("a client that did not ask (alias %s) gets no usage chunk, and the tokens are counted", async (alias) => {
    const text = await stream({ model: alias });
    expect(text).not.toContain('"usage"');
    expect(text).toContain("data: [DONE]");
    expect(text).toContain("three");
    expect(await tokens(alias)).toEqual(expect.arrayContaining([expect.stringMatching(/kind="prompt"} 7$/), expect.stringMatching(/kind="completion"} 3$/)]));
  });

  it("a client that asked gets the usage chunk", async () => {
    const text = await stream({ model: "coder", stream_options: { include_usage: true } });
    expect(text).toMatch(/"choices":\[\],"usage":\{"prompt_tokens":7,"completion_tokens":3/);
  });
});
