// A key limited to some aliases sees nothing of the others, on every face: no listing and no error
// names them, and asking for one outside the scope answers exactly as asking for one that does not
// exist (same status, same message with the requested name swapped), so a key cannot probe the table.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeEngine, type FakeEngine } from "../../../tools/fakes/index.js";
import { config, sha256, startRouter, untilAllUp, type Running } from "../reliability/harness.js";

const SCOPED = "client-scoped-Pq07ce";
const FULL = "client-full-Lm55ar";
// Out of the scoped key's reach. No request in the listing cases below names them.
const HIDDEN = ["hidden-a", "hidden-opus"];

let vllm: FakeEngine;
let ollama: FakeEngine;
let r: Running;

beforeAll(async () => {
  vllm = await startFakeEngine({ engine: "vllm", models: ["m"] });
  ollama = await startFakeEngine({ engine: "ollama", models: ["m"], loaded: ["m"] });
  r = await startRouter(
    config({
      backends: { spark: { engine: "vllm", url: vllm.url }, box: { engine: "ollama", url: ollama.url } },
      aliases: {
        coder: { targets: [{ backend: "spark", model: "m" }] },
        "hidden-a": { targets: [{ backend: "spark", model: "m" }] },
        "hidden-opus": { targets: [{ backend: "box", model: "m" }] },
      },
      // Opus names reach an alias outside the scoped key's reach; sonnet names reach none.
      claudeModels: { opus: "hidden-opus", haiku: "coder" },
      apiKeys: [
        { name: "scoped", sha256: sha256(SCOPED), aliases: ["coder"] },
        { name: "full", sha256: sha256(FULL) },
      ],
    }),
  );
  await untilAllUp(r);
});
afterAll(async () => {
  await r.stop();
  await vllm.stop();
  await ollama.stop();
});

interface Answer {
  status: number;
  text: string;
}

async function call(method: string, path: string, body: unknown, key: string): Promise<Answer> {
  const res = await fetch(r.url + path, {
    method,
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", authorization: `Bearer ${key}` },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, text: await res.text() };
}

const messages = [{ role: "user", content: "hi" }];
type Request = (model: string) => readonly [method: string, path: string, body: unknown];
const openaiChat = (model: string) => ["POST", "/v1/chat/completions", { model, messages }] as const;
const openaiEmbed = (model: string) => ["POST", "/v1/embeddings", { model, input: "x" }] as const;
const anthropicMessages = (model: string) => ["POST", "/v1/messages", { model, max_tokens: 8, messages }] as const;
const anthropicCount = (model: string) => ["POST", "/api/v1/messages/count_tokens", { model, messages }] as const;
const ollamaChat = (model: string) => ["POST", "/api/chat", { model, messages, stream: false }] as const;
const ollamaGenerate = (model: string) => ["POST", "/api/generate", { model, prompt: "x", stream: false }] as const;
const ollamaShow = (model: string) => ["POST", "/api/show", { model }] as const;

describe("a scoped key sees only its own aliases", () => {
  it.each([
    ["OpenAI model list", ["GET", "/v1/models", undefined]],
    ["OpenAI model list under /api/v1", ["GET", "/api/v1/models", undefined]],
    ["Ollama tags", ["GET", "/api/tags", undefined]],
    ["Ollama ps", ["GET", "/api/ps", undefined]],
    ["OpenAI chat, unknown model", openaiChat("gpt-9")],
    ["OpenAI embeddings, unknown model", openaiEmbed("gpt-9")],
    ["OpenAI chat, a claude name", openaiChat("claude-sonnet-4-5")],
    ["Anthropic, unknown model", anthropicMessages("gpt-9")],
    ["Anthropic, a claude name no mapping covers", anthropicMessages("claude-sonnet-4-5")],
    ["Anthropic, the claude name of the issue (claude-opus-4-1 maps out of scope)", anthropicMessages("claude-opus-4-1")],
    ["Anthropic count_tokens, a claude name no mapping covers", anthropicCount("claude-sonnet-4-5")],
    ["Ollama chat, unknown model", ollamaChat("gpt-9")],
    ["Ollama generate, unknown model with a tag", ollamaGenerate("gpt-9:latest")],
    ["Ollama show, unknown model", ollamaShow("gpt-9")],
  ] as const)("%s", async (_name, [method, path, body]) => {
    const a = await call(method, path, body, SCOPED);
    expect(a.status, a.text).toBeLessThan(500);
    for (const hidden of HIDDEN) expect(a.text).not.toContain(hidden);
  });

  it("while an unscoped key is shown every alias", async () => {
    const a = await call("GET", "/v1/models", undefined, FULL);
    for (const hidden of HIDDEN) expect(a.text).toContain(hidden);
  });
});

describe("an alias outside the scope answers exactly as one that does not exist", () => {
  // Each pair: a name the key may not use, and a name nobody has; the answers must not tell them apart.
  const pairs: [string, Request, string, string][] = [
    ["OpenAI chat", openaiChat, "hidden-a", "nosuch-a"],
    ["OpenAI embeddings", openaiEmbed, "hidden-a", "nosuch-a"],
    ["Anthropic messages", anthropicMessages, "hidden-a", "nosuch-a"],
    ["Anthropic, claude names (mapped out of scope / not mapped)", anthropicMessages, "claude-opus-4-1", "claude-sonnet-4-5"],
    ["Anthropic count_tokens", anthropicCount, "hidden-a", "nosuch-a"],
    ["Ollama chat", ollamaChat, "hidden-a", "nosuch-a"],
    ["Ollama chat with the :latest tag", ollamaChat, "hidden-a:latest", "nosuch-a:latest"],
    ["Ollama generate", ollamaGenerate, "hidden-a", "nosuch-a"],
    ["Ollama show", ollamaShow, "hidden-a", "nosuch-a"],
  ];
  it.each(pairs)("%s", async (_name, request, forbidden, unknown) => {
    const f = await call(...request(forbidden), SCOPED);
    const u = await call(...request(unknown), SCOPED);
    expect(f.status).toBe(404);
    expect(u.status).toBe(404);
    const shape = (a: Answer, name: string): string => a.text.replaceAll(JSON.stringify(name).slice(1, -1), "<model>");
    expect(shape(f, forbidden)).toBe(shape(u, unknown));
    for (const hidden of HIDDEN) expect(shape(f, forbidden)).not.toContain(hidden);
  });

  it("the unscoped key is served by the same alias", async () => {
    expect((await call(...openaiChat("hidden-a"), FULL)).status).toBe(200);
    expect((await call(...anthropicMessages("claude-opus-4-1"), FULL)).status).toBe(200);
  });
});

describe("GET /v1/models/{model} (OpenAI's retrieve model), scoped like the list", () => {
  it.each([["/v1/models/"], ["/api/v1/models/"]])("%s: an alias the key may use is the list's entry", async (prefix) => {
    const a = await call("GET", prefix + "coder", undefined, SCOPED);
    expect(a.status, a.text).toBe(200);
    expect(JSON.parse(a.text)).toMatchObject({ id: "coder", object: "model", owned_by: "aistack" });
  });

  it("an alias outside the scope and one that does not exist answer alike: 404 in OpenAI's shape", async () => {
    const hidden = await call("GET", "/v1/models/hidden-a", undefined, SCOPED);
    const none = await call("GET", "/v1/models/nosuch-a", undefined, SCOPED);
    expect(hidden.status).toBe(404);
    expect(JSON.parse(hidden.text)).toMatchObject({ error: { type: "invalid_request_error", code: "model_not_found" } });
    expect(hidden.text.replace("hidden-a", "X")).toBe(none.text.replace("nosuch-a", "X"));
    expect((await call("GET", "/v1/models/hidden-a", undefined, FULL)).status).toBe(200);
  });
});
