// A 32k-context target never receives a prompt plus an output budget beyond its context, whatever the
// face: the OpenAI face fits max_tokens / max_completion_tokens as the Anthropic and Ollama faces fit
// theirs, streamed or not, says so in x-router-max-tokens and in the access line, and leaves a request
// alone where the engine reported no context.
import { beforeAll, describe, expect, it } from "vitest";
import type { FakeEngine } from "../../../tools/fakes/index.js";
import { config, facesFixture, untilModelsKnown, type Running } from "./harness.js";

const CONTEXT = 32768;
// 20000 tokens for the fakes' tokenizer (a word is a token): fits 32k, not with 32000 more.
const long = "word ".repeat(20_000);
const huge = "word ".repeat(40_000);

interface Row {
  name: string;
  path: string;
  body: Record<string, unknown>;
  /** The field the backend's output limit arrives in. */
  sentAs: "max_tokens" | "max_completion_tokens";
}

const chat = (extra: Record<string, unknown>): Record<string, unknown> => ({
  model: "coder",
  messages: [
    { role: "system", content: long },
    { role: "user", content: "hi" },
  ],
  ...extra,
});

const rows: Row[] = [
  { name: "OpenAI chat, max_tokens", path: "/v1/chat/completions", body: chat({ max_tokens: 32000 }), sentAs: "max_tokens" },
  { name: "OpenAI chat, max_tokens, streamed", path: "/v1/chat/completions", body: chat({ max_tokens: 32000, stream: true }), sentAs: "max_tokens" },
  {
    name: "OpenAI chat, max_completion_tokens, streamed",
    path: "/api/v1/chat/completions",
    body: chat({ max_completion_tokens: 32000, stream: true }),
    sentAs: "max_completion_tokens",
  },
  {
    name: "OpenAI chat, both limits",
    path: "/v1/chat/completions",
    body: chat({ max_completion_tokens: 32000, max_tokens: 32000 }),
    sentAs: "max_completion_tokens",
  },
  {
    name: "OpenAI completions, streamed",
    path: "/v1/completions",
    body: { model: "coder", prompt: long, max_tokens: 32000, stream: true },
    sentAs: "max_tokens",
  },
  {
    name: "Anthropic messages",
    path: "/v1/messages",
    body: { model: "coder", system: long, max_tokens: 32000, messages: [{ role: "user", content: "hi" }] },
    sentAs: "max_tokens",
  },
  {
    name: "Anthropic messages, streamed",
    path: "/api/v1/messages",
    body: { model: "coder", system: long, max_tokens: 32000, stream: true, messages: [{ role: "user", content: "hi" }] },
    sentAs: "max_tokens",
  },
  { name: "Ollama chat", path: "/api/chat", body: { ...chat({ options: { num_predict: 32000 } }), stream: false }, sentAs: "max_tokens" },
  { name: "Ollama chat, streamed", path: "/api/chat", body: chat({ options: { num_predict: 32000 } }), sentAs: "max_tokens" },
];

async function post(url: string, body: unknown): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

describe("every face fits the output budget into a 32k target", () => {
  let vllm: FakeEngine;
  let generic: FakeEngine;
  let r: Running;
  const fx = facesFixture();

  beforeAll(async () => {
    vllm = await fx.fake({ engine: "vllm", models: ["m"], contextLength: CONTEXT });
    // A generic OpenAI-compatible server reports no context: the router must not invent one.
    generic = await fx.fake({ engine: "openai", models: ["g"], contextLength: CONTEXT });
    r = await fx.router(
      config({
        backends: { v: { engine: "vllm", url: vllm.url }, g: { engine: "openai", url: generic.url } },
        aliases: { coder: { targets: [{ backend: "v", model: "m" }] }, plain: { targets: [{ backend: "g", model: "g" }] } },
      }),
    );
    await untilModelsKnown(r);
  });

  it.each(rows)("$name: the backend gets what fits, and the answer and the log say so", async ({ path, body, sentAs }) => {
    const res = await post(r.url + path, body);
    // The fake vLLM refuses prompt + limit beyond max_model_len with a 400, as vLLM does.
    expect(res.status, res.text).toBe(200);
    const sent = (vllm.stats.lastRequestBody as Record<string, unknown>)[sentAs];
    expect(typeof sent).toBe("number");
    expect(sent as number).toBeLessThan(CONTEXT - 20_000);
    expect(sent as number).toBeGreaterThan(10_000);
    expect(res.headers.get("x-router-max-tokens")).toBe(String(sent));
    const line = r.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === "request")
      .at(-1);
    expect(line).toMatchObject({ path, status: 200, maxTokens: sent, maxTokensRequested: 32000 });
  });

  it("a limit that fits passes unchanged, with no header", async () => {
    const res = await post(r.url + "/v1/chat/completions", chat({ max_tokens: 64 }));
    expect(res.status).toBe(200);
    expect((vllm.stats.lastRequestBody as { max_tokens: number }).max_tokens).toBe(64);
    expect(res.headers.get("x-router-max-tokens")).toBeNull();
  });

  it("a prompt no target can hold is OpenAI's context_length_exceeded, and the backend never sees it", async () => {
    const before = vllm.stats.requests["/v1/chat/completions"] ?? 0;
    const res = await post(r.url + "/v1/chat/completions", { model: "coder", messages: [{ role: "user", content: huge }], max_tokens: 100 });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ error: { type: "invalid_request_error", code: "context_length_exceeded" } });
    expect(vllm.stats.requests["/v1/chat/completions"] ?? 0).toBe(before);
  });

  it("where the engine reported no context the request passes as it came", async () => {
    const res = await post(r.url + "/v1/chat/completions", { model: "plain", messages: [{ role: "user", content: "hi" }], max_tokens: 32000 });
    expect(res.status).toBe(200);
    expect((generic.stats.lastRequestBody as { max_tokens: number }).max_tokens).toBe(32000);
    expect(res.headers.get("x-router-max-tokens")).toBeNull();
  });
});
