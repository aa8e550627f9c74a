// The Ollama face end to end with the official `ollama` client: the alias table as a model list, and
// chat / generate / embed over vLLM and llama.cpp (translated) and Ollama (passthrough).
import { beforeAll, describe, expect, it } from "vitest";
import type { FakeEngine } from "../../../tools/fakes/index.js";
import { config, facesFixture, richReply, sha256, TOOL_ARGS, untilModelsKnown, type Running } from "./harness.js";

const KEY = "sk-ollama-all";
const MICRO_KEY = "sk-ollama-micro";

describe("Ollama face", () => {
  let vllm: FakeEngine;
  let llama: FakeEngine;
  let ollama: FakeEngine;
  let r: Running;
  const fx = facesFixture();

  beforeAll(async () => {
    vllm = await fx.fake({ engine: "vllm", models: ["Qwen3-Coder"], reply: richReply });
    llama = await fx.fake({ engine: "llamacpp", models: ["local"], reply: richReply });
    ollama = await fx.fake({ engine: "ollama", models: ["qwen3:8b"], loaded: ["qwen3:8b"], reply: richReply });
    r = await fx.router(
      config({
        backends: {
          vllm: { engine: "vllm", url: vllm.url },
          llama: { engine: "llamacpp", url: llama.url },
          ollama: { engine: "ollama", url: ollama.url },
        },
        aliases: {
          coder: { targets: [{ backend: "vllm", model: "Qwen3-Coder" }], description: "main coding model" },
          llama: { targets: [{ backend: "llama", model: "local" }] },
          micro: { targets: [{ backend: "ollama", model: "qwen3:8b" }] },
        },
        apiKeys: [
          { name: "all", sha256: sha256(KEY) },
          { name: "small", sha256: sha256(MICRO_KEY), aliases: ["micro"] },
        ],
      }),
    );
    await untilModelsKnown(r);
  });

  const tools = [
    { type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
  ];
  const messages = [{ role: "user", content: "Weather in Paris?" }];

  describe.each([
    ["coder", "vLLM (translated)"],
    ["llama", "llama.cpp (translated)"],
    ["micro", "Ollama (passthrough)"],
  ])("%s over %s", (alias) => {
    it("chat, not streamed: text, thinking and tool call arguments as objects", async () => {
      const res = await r.ollama(KEY).chat({ model: alias, messages, tools, stream: false, think: true });
      expect(res.model).toBe(alias);
      expect(res.message.content).toBe(richReply().content);
      expect(res.message.thinking).toBe(richReply().reasoning);
      // Newer Ollama adds the call's `index`; name and full arguments are what must survive.
      expect(res.message.tool_calls?.[0]?.function).toMatchObject({ name: "get_weather", arguments: TOOL_ARGS });
      expect(res.done).toBe(true);
    });

    it("chat, streamed: the accumulated message is the same", async () => {
      const stream = await r.ollama(KEY).chat({ model: `${alias}:latest`, messages, tools, stream: true, think: true });
      let content = "";
      let thinking = "";
      const calls: unknown[] = [];
      let done = false;
      for await (const part of stream) {
        content += part.message.content;
        thinking += part.message.thinking ?? "";
        for (const c of part.message.tool_calls ?? []) calls.push({ name: c.function.name, arguments: c.function.arguments });
        if (part.done) done = true;
      }
      expect({ content, thinking, calls, done }).toEqual({
        content: richReply().content,
        thinking: richReply().reasoning,
        calls: [{ name: "get_weather", arguments: TOOL_ARGS }],
        done: true,
      });
    });

    it("generate, streamed and not", async () => {
      const whole = await r.ollama(KEY).generate({ model: alias, prompt: "hello", stream: false });
      expect(whole.response).toBe(richReply().content);
      let text = "";
      for await (const part of await r.ollama(KEY).generate({ model: alias, prompt: "hello", stream: true })) text += part.response;
      expect(text).toBe(richReply().content);
    });

    it("embed and the legacy embeddings", async () => {
      const e = await r.ollama(KEY).embed({ model: alias, input: ["a", "b"] });
      expect(e.embeddings).toHaveLength(2);
      expect(e.embeddings[0]?.length).toBeGreaterThan(0);
      const legacy = await r.ollama(KEY).embeddings({ model: alias, prompt: "a" });
      expect(legacy.embedding.length).toBeGreaterThan(0);
    });
  });

  it("passes keep_alive to an Ollama backend", async () => {
    await r.ollama(KEY).chat({ model: "micro", messages, stream: false, keep_alive: "17m" });
    expect((ollama.stats.lastRequestBody as { keep_alive?: unknown; model: string }).keep_alive).toBe("17m");
    expect((ollama.stats.lastRequestBody as { model: string }).model).toBe("qwen3:8b");
  });

  it("show reaches the alias a chat reaches, by the same names and within the same scope", async () => {
    const names: [string, string][] = [
      [KEY, "coder"],
      [KEY, "coder:latest"],
      [KEY, "coder:7b"],
      [KEY, "nosuch"],
      [MICRO_KEY, "micro:latest"],
      [MICRO_KEY, "coder"],
    ];
    for (const [key, model] of names) {
      const show = await fetch(`${r.url}/api/show`, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: JSON.stringify({ model }) });
      const chat = await fetch(`${r.url}/api/chat`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}` },
        body: JSON.stringify({ model, messages, stream: false }),
      });
      await Promise.all([show.text(), chat.text()]);
      expect(show.status === 200, `${model} for ${key}: show ${show.status}, chat ${chat.status}`).toBe(chat.status === 200);
    }
  });

  it("lists the aliases the key may use, with details; show and ps too", async () => {
    const all = await r.ollama(KEY).list();
    expect(all.models.map((m) => m.name).sort()).toEqual(["coder", "llama", "micro"]);
    expect(all.models[0]?.details.family).toBe("aistack");
    const scoped = await r.ollama(MICRO_KEY).list();
    expect(scoped.models.map((m) => m.name)).toEqual(["micro"]);
    const show = await r.ollama(KEY).show({ model: "coder" });
    expect(show.model_info).toMatchObject({ "aistack.context_length": 32768 });
    const ps = await r.ollama(KEY).ps();
    expect(ps.models.map((m) => m.name)).toContain("micro");
    const v = await fetch(`${r.url}/api/version`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(((await v.json()) as { version: string }).version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  describe("errors in Ollama's shape", () => {
    it.each([
      ["pull", () => r.ollama(KEY).pull({ model: "llama3" }), 501, /not available through the aistack router/],
      ["delete", () => r.ollama(KEY).delete({ model: "coder" }), 501, /not available/],
      ["copy", () => r.ollama(KEY).copy({ source: "coder", destination: "x" }), 501, /not available/],
      ["unknown model", () => r.ollama(KEY).chat({ model: "nope", messages, stream: false }), 404, /unknown model/],
      [
        "alias out of the key's scope (reads as unknown)",
        () => r.ollama(MICRO_KEY).chat({ model: "coder", messages, stream: false }),
        404,
        /unknown model "coder"; available aliases: micro$/,
      ],
      ["show of an alias out of scope", () => r.ollama(MICRO_KEY).show({ model: "coder" }), 404, /not found/],
      ["bad key", () => r.ollama("wrong").list(), 401, /invalid API key/],
    ])("%s", async (_name, call, status, message) => {
      const err = (await call().then(
        () => undefined,
        (e: unknown) => e,
      )) as { status_code?: number; error?: string } | undefined;
      expect(err?.status_code).toBe(status);
      expect(err?.error).toMatch(message);
    });

    it("a body error is {error} with status 400", async () => {
      const res = await fetch(`${r.url}/api/chat`, {
        method: "POST",
        headers: { "x-api-key": KEY },
        body: JSON.stringify({ model: "coder", messages: "nope" }),
      });
      expect(res.status).toBe(400);
      expect(Object.keys((await res.json()) as object)).toEqual(["error"]);
    });
  });
});
