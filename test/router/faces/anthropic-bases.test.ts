// One Anthropic base URL for both SDK families, with the SDKs themselves as clients: Anthropic's SDK
// appends /v1/messages to its base (Claude Code, OpenClaw), the Vercel AI SDK's Anthropic provider
// appends /messages (Cline, Kilo Code, OpenCode), so `<router>/api` lands on /api/v1/messages for the
// one and /api/messages for the other. Each path a client ends up on is read back from the access log.
import { createAnthropic } from "@ai-sdk/anthropic";
import { generateText, streamText } from "ai";
import { beforeAll, describe, expect, it } from "vitest";
import { config, facesFixture, untilModelsKnown, type Running } from "./harness.js";

const KEY = "k-anthropic-bases";

describe("the Anthropic face at every base an SDK appends to", () => {
  let r: Running;
  const fx = facesFixture();

  beforeAll(async () => {
    const vllm = await fx.fake({ engine: "vllm", models: ["m"], reply: () => ({ content: "hello from the fake" }) });
    r = await fx.router(config({ backends: { v: { engine: "vllm", url: vllm.url } }, aliases: { coder: { targets: [{ backend: "v", model: "m" }] } } }));
    await untilModelsKnown(r);
  });

  const lastPath = (): unknown =>
    r.logs
      .map((l) => JSON.parse(l) as { msg: string; path?: string })
      .filter((l) => l.msg === "request")
      .at(-1)?.path;

  it.each([
    ["", "/v1/messages"],
    ["/api", "/api/v1/messages"],
  ])("Anthropic's SDK at base <router>%s calls %s, plain and streamed", async (base, path) => {
    const client = r.anthropic(KEY, base);
    const plain = await client.messages.create({ model: "coder", max_tokens: 64, messages: [{ role: "user", content: "hi" }] });
    expect(plain.content).toEqual([{ type: "text", text: "hello from the fake" }]);
    expect(lastPath()).toBe(path);
    const stream = client.messages.stream({ model: "coder", max_tokens: 64, messages: [{ role: "user", content: "hi" }] });
    expect(await stream.finalText()).toBe("hello from the fake");
    expect(lastPath()).toBe(path);
    const count = await client.messages.countTokens({ model: "coder", messages: [{ role: "user", content: "hi" }] });
    expect(count.input_tokens).toBeGreaterThan(0);
    expect(lastPath()).toBe(`${path}/count_tokens`);
  });

  it.each([
    ["/api", "/api/messages"],
    ["/api/v1", "/api/v1/messages"],
  ])("the Vercel AI SDK's Anthropic provider at base <router>%s calls %s, plain and streamed", async (base, path) => {
    const provider = createAnthropic({ baseURL: r.url + base, apiKey: KEY });
    const plain = await generateText({ model: provider("coder"), prompt: "hi", maxOutputTokens: 64, maxRetries: 0 });
    expect(plain.text).toBe("hello from the fake");
    expect(lastPath()).toBe(path);
    const streamed = streamText({ model: provider("coder"), prompt: "hi", maxOutputTokens: 64, maxRetries: 0 });
    expect(await streamed.text).toBe("hello from the fake");
    expect(lastPath()).toBe(path);
  });

  it("count_tokens answers at /api/messages/count_tokens too", async () => {
    const res = await fetch(`${r.url}/api/messages/count_tokens`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": KEY },
      body: JSON.stringify({ model: "coder", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(0);
  });

  it("a wrong method on /api/messages is a 405 in Anthropic's shape", async () => {
    const res = await fetch(`${r.url}/api/messages`);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });
});
