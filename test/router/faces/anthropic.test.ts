// The Anthropic face end to end: the official SDK against the router and the engine fakes, through
// translation (vLLM, llama.cpp) and passthrough (vLLM set native, Ollama >= 0.14.0 by auto).
import type Anthropic from "@anthropic-ai/sdk";
import { beforeAll, describe, expect, it } from "vitest";
import type { FakeEngine } from "../../../tools/fakes/index.js";
import { config, facesFixture, richReply, sha256, sseEvents, TOOL_ARGS, until, weatherTool, type Running } from "./harness.js";

const KEY = "sk-test-coder";
const MICRO_KEY = "sk-test-micro";

describe("Anthropic face", () => {
  let vllm: FakeEngine;
  let vllmNative: FakeEngine;
  let llama: FakeEngine;
  let ollama: FakeEngine;
  let r: Running;
  const fx = facesFixture();

  beforeAll(async () => {
    vllm = await fx.fake({ engine: "vllm", models: ["Qwen3-Coder"], reply: richReply, contextLength: 32768 });
    vllmNative = await fx.fake({ engine: "vllm", models: ["Qwen3-Coder"], reply: richReply, anthropic: true });
    llama = await fx.fake({ engine: "llamacpp", models: ["local"], reply: richReply });
    ollama = await fx.fake({ engine: "ollama", models: ["qwen3:8b"], loaded: ["qwen3:8b"], reply: richReply, anthropic: true });
    r = await fx.router(
      config({
        backends: {
          vllm: { engine: "vllm", url: vllm.url },
          "vllm-native": { engine: "vllm", url: vllmNative.url, anthropic: "native" },
          llama: { engine: "llamacpp", url: llama.url },
          ollama: { engine: "ollama", url: ollama.url },
        },
        aliases: {
          coder: { targets: [{ backend: "vllm", model: "Qwen3-Coder" }] },
          native: { targets: [{ backend: "vllm-native", model: "Qwen3-Coder" }] },
          llama: { targets: [{ backend: "llama", model: "local" }] },
          micro: { targets: [{ backend: "ollama", model: "qwen3:8b" }] },
        },
        claudeModels: { haiku: "micro", sonnet: "coder", opus: "coder" },
        apiKeys: [
          { name: "all", sha256: sha256(KEY) },
          { name: "small", sha256: sha256(MICRO_KEY), aliases: ["micro"] },
        ],
      }),
    );
    // The Ollama backend's version (and so `auto` → native) is learned by its probe.
    await until(() => r.router.registry.get("ollama")?.version !== undefined, "the Ollama backend's version");
  });

  const ask = {
    max_tokens: 1024,
    messages: [{ role: "user" as const, content: "What is the weather in Paris?" }],
    tools: [weatherTool],
  };

  function expectRich(m: Anthropic.Message): void {
    const thinking = m.content.find((b) => b.type === "thinking");
    const text = m.content.find((b) => b.type === "text");
    const tool = m.content.find((b) => b.type === "tool_use");
    expect(thinking?.type === "thinking" ? thinking.thinking : undefined).toBe(richReply().reasoning);
    expect(text?.type === "text" ? text.text : undefined).toBe(richReply().content);
    expect(tool?.type === "tool_use" ? { name: tool.name, input: tool.input } : undefined).toEqual({ name: "get_weather", input: TOOL_ARGS });
    expect(m.stop_reason).toBe("tool_use");
  }

  const paths = [
    ["coder", "translation to vLLM", () => vllm, "/v1/chat/completions"],
    ["llama", "translation to llama.cpp", () => llama, "/v1/chat/completions"],
    ["native", "passthrough to vLLM (anthropic: native)", () => vllmNative, "/v1/messages"],
    ["micro", "passthrough to Ollama 0.14 (auto)", () => ollama, "/v1/messages"],
  ] as const;

  describe.each(paths)("%s: %s", (alias, _what, engine, upstreamPath) => {
    it("non-streaming: the SDK's message holds the backend's reasoning, text and full tool arguments", async () => {
      const before = engine().stats.requests[upstreamPath] ?? 0;
      const m = await r.anthropic(KEY).messages.create({ model: alias, ...ask });
      expectRich(m);
      expect(engine().stats.requests[upstreamPath]).toBe(before + 1);
    });

    it("streaming: the SDK's accumulated final message is the same", async () => {
      const stream = r.anthropic(KEY).messages.stream({ model: alias, ...ask });
      const deltas: string[] = [];
      stream.on("inputJson", (partial) => deltas.push(partial));
      expectRich(await stream.finalMessage());
      // Arguments arrive in pieces (input_json_delta), and the pieces add up to the whole.
      expect(deltas.length).toBeGreaterThan(1);
      expect(JSON.parse(deltas.join(""))).toEqual(TOOL_ARGS);
    });
  });

  it("streams the exact event sequence when translating (golden)", async () => {
    const res = await fetch(`${r.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": KEY, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "coder", ...ask, stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = sseEvents(await res.text()).filter((e) => e.event !== "ping");
    const shape = events.map((e) => {
      const d = e.data;
      const block = d.content_block as { type: string } | undefined;
      const delta = d.delta as { type?: string } | undefined;
      if (e.event === "content_block_start") return `${e.event}:${String(d.index)}:${block?.type}`;
      if (e.event === "content_block_delta") return `${e.event}:${String(d.index)}:${delta?.type}`;
      if (e.event === "content_block_stop") return `${e.event}:${String(d.index)}`;
      return e.event;
    });
    const collapsed = shape.filter((s, i) => s !== shape[i - 1]);
    expect(collapsed).toEqual([
      "message_start",
      "content_block_start:0:thinking",
      "content_block_delta:0:thinking_delta",
      "content_block_stop:0",
      "content_block_start:1:text",
      "content_block_delta:1:text_delta",
      "content_block_stop:1",
      "content_block_start:2:tool_use",
      "content_block_delta:2:input_json_delta",
      "content_block_stop:2",
      "message_delta",
      "message_stop",
    ]);
    const start = events[0]?.data.message as { model: string };
    expect(start.model).toBe("coder");
  });

  it("accepts ?beta=true and unknown anthropic-beta flags", async () => {
    const res = await fetch(`${r.url}/api/v1/messages?beta=true`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEY}`, "anthropic-beta": "some-future-flag-2099-01-01,another" },
      body: JSON.stringify({ model: "coder", ...ask }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { type: string }).type).toBe("message");
  });

  it("serves a realistic Claude Code request against a 32k-context backend, clamping max_tokens", async () => {
    const tools = Array.from({ length: 20 }, (_, i) => ({
      name: `tool_${i}`,
      description: `Tool number ${i}: ${"does useful things with files and shells. ".repeat(6)}`,
      input_schema: {
        type: "object" as const,
        properties: { path: { type: "string", description: "absolute path" }, limit: { type: "integer" } },
        required: ["path"],
      },
    }));
    const m = await r.anthropic(KEY).messages.create(
      {
        model: "claude-sonnet-4-5-20250929",
        max_tokens: 32000,
        system: [
          { type: "text", text: "You are Claude Code, Anthropic's official CLI for Claude." },
          { type: "text", text: "Follow the repository conventions. ".repeat(40), cache_control: { type: "ephemeral" } },
        ],
        tools,
        messages: [
          { role: "user", content: [{ type: "text", text: "List the files.", cache_control: { type: "ephemeral" } }] },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "tool_0", input: { path: "/repo" } }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "src/file.ts exports one function\n".repeat(1500) }] },
          // Claude Code injects system reminders mid-conversation; local chat templates reject them there.
          { role: "system", content: "Reminder: keep answers short." } as unknown as Anthropic.MessageParam,
          { role: "user", content: "Now what is the weather?" },
        ],
      },
      { headers: { "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14" } },
    );
    expect(m.model).toBe("claude-sonnet-4-5-20250929");
    expect(m.content.some((b) => b.type === "tool_use")).toBe(true);
    const sent = vllm.stats.lastRequestBody as { max_tokens: number; messages: { role: string }[]; tools: unknown[] };
    expect(sent.max_tokens).toBeLessThan(32000);
    expect(sent.max_tokens).toBeGreaterThan(16000);
    expect(sent.tools).toHaveLength(20);
    expect(sent.messages.filter((x) => x.role === "system")).toHaveLength(1);
    expect(sent.messages[0]?.role).toBe("system");
  });

  describe("Claude Code's newest request shape", () => {
    // What recent Claude Code versions send besides the basics: context_management (beta
    // context-management-2025-06-27), adaptive thinking with output_config.effort, metadata.user_id,
    // a billing-header system block, tools typed "custom" with extra flags, a hosted tool, and block
    // and tool_choice kinds newer than this router.
    const claudeCodeBody = {
      model: "claude-opus-4-5",
      max_tokens: 32000,
      stream: false,
      metadata: { user_id: "user_abc_account_123_session_456" },
      thinking: { type: "adaptive" },
      output_config: { effort: "high" },
      context_management: { edits: [{ type: "clear_thinking_20251015", keep: "all" }] },
      container: { id: "container_1" },
      mcp_servers: [],
      system: [
        { type: "text", text: "x-anthropic-billing-header: cc_version=2.1.0" },
        { type: "text", text: "You are Claude Code.", cache_control: { type: "ephemeral", ttl: "1h" } },
      ],
      tools: [
        { ...weatherTool, type: "custom", defer_loading: false, eager_input_streaming: true, cache_control: { type: "ephemeral" } },
        { type: "web_search_20250305", name: "web_search", max_uses: 5 },
      ],
      tool_choice: { type: "something_new_2099" },
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is the weather?" },
            { type: "tool_reference_2099", tool_name: "get_weather" },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "", signature: "sig" },
            { type: "text", text: "Let me look." },
          ],
        },
        { role: "system", content: "Reminder: be brief." },
        { role: "user", content: "Go on." },
      ],
    };

    it.each([
      ["translated (vLLM)", "coder", () => vllm],
      ["passthrough (vLLM native)", "native", () => vllmNative],
      ["passthrough (Ollama 0.14)", "micro", () => ollama],
    ])("%s: answered, and what only Anthropic understands is not forwarded", async (_name, alias, engine) => {
      const res = await fetch(`${r.url}/api/v1/messages?beta=true`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-api-key": KEY,
          "anthropic-version": "2023-06-01",
          "anthropic-beta":
            "claude-code-20250219,context-management-2025-06-27,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14,oauth-2025-04-20",
        },
        body: JSON.stringify({ ...claudeCodeBody, model: alias }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { type: string }).type).toBe("message");
      const sent = JSON.stringify(engine().stats.lastRequestBody);
      for (const field of [
        "context_management",
        "output_config",
        "container",
        "mcp_servers",
        "tool_reference_2099",
        "something_new_2099",
        "web_search_20250305",
      ]) {
        expect(sent).not.toContain(field);
      }
      expect(sent).toContain("get_weather");
      expect(sent).toContain("Reminder: be brief.");
    });
  });

  describe("count_tokens", () => {
    const body = { model: "coder", messages: [{ role: "user", content: "Count these words, please." }], system: "Be brief.", tools: [weatherTool] };

    it.each([
      ["coder", "tokenizer"],
      ["llama", "tokenizer"],
      ["micro", "estimate"],
    ])("%s counts with the %s, never 0", async (alias, source) => {
      const res = await fetch(`${r.url}/api/v1/messages/count_tokens?beta=true`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": KEY },
        body: JSON.stringify({ ...body, model: alias }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-router-token-count")).toBe(source);
      const { input_tokens } = (await res.json()) as { input_tokens: number };
      expect(input_tokens).toBeGreaterThan(5);
    });

    it("a native vLLM backend answers with its own /v1/messages/count_tokens", async () => {
      const before = vllmNative.stats.requests["/v1/messages/count_tokens"] ?? 0;
      const res = await fetch(`${r.url}/api/v1/messages/count_tokens?beta=true`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": KEY },
        body: JSON.stringify({ ...body, model: "native", context_management: { edits: [{ type: "clear_thinking_20251015" }] } }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-router-token-count")).toBe("native");
      expect(((await res.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(5);
      expect(vllmNative.stats.requests["/v1/messages/count_tokens"]).toBe(before + 1);
      expect(vllmNative.stats.lastRequestBody).not.toHaveProperty("context_management");
    });

    it("works through the SDK", async () => {
      const n = await r.anthropic(KEY).messages.countTokens({ model: "claude-haiku-4-5", messages: [{ role: "user", content: "hello there" }] });
      expect(n.input_tokens).toBeGreaterThan(0);
    });
  });

  describe("claude-* names and key scopes", () => {
    it("maps claude haiku to micro, allowed for a micro-only key", async () => {
      const m = await r.anthropic(MICRO_KEY).messages.create({ model: "claude-3-5-haiku-20241022", ...ask });
      expect(m.model).toBe("claude-3-5-haiku-20241022");
    });

    it("answers a claude name that resolves outside the key's scope as an unknown model, with x-api-key or Bearer", async () => {
      const variants: Record<string, string>[] = [{ "x-api-key": MICRO_KEY }, { authorization: `Bearer ${MICRO_KEY}` }];
      for (const headers of variants) {
        const res = await fetch(`${r.url}/v1/messages`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({ model: "claude-sonnet-4-5", ...ask }),
        });
        expect(res.status).toBe(404);
        expect(await res.json()).toMatchObject({
          type: "error",
          error: { type: "not_found_error", message: expect.stringMatching(/^unknown model "claude-sonnet-4-5"; available aliases: micro;/) as unknown },
        });
      }
    });
  });

  describe("errors in Anthropic's shape", () => {
    async function post(
      body: unknown,
      headers: Record<string, string> = { "x-api-key": KEY },
      path = "/v1/messages",
    ): Promise<{ status: number; json: { type: string; error: { type: string; message: string } } }> {
      const res = await fetch(r.url + path, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as { type: string; error: { type: string; message: string } } };
    }

    it.each([
      ["missing key", { model: "coder", ...ask }, {}, 401, "authentication_error"],
      ["wrong key", { model: "coder", ...ask }, { "x-api-key": "nope" }, 401, "authentication_error"],
      ["unknown model", { model: "gpt-9", ...ask }, undefined, 404, "not_found_error"],
      ["missing max_tokens", { model: "coder", messages: ask.messages }, undefined, 400, "invalid_request_error"],
      ["bad role", { model: "coder", max_tokens: 5, messages: [{ role: "robot", content: "x" }] }, undefined, 400, "invalid_request_error"],
      ["not JSON", "{nope", undefined, 400, "invalid_request_error"],
    ])("%s", async (_name, body, headers, status, type) => {
      const res = await post(body, headers);
      expect(res.status).toBe(status);
      expect(res.json).toMatchObject({ type: "error", error: { type } });
      expect(res.json.error.message.length).toBeGreaterThan(0);
    });

    it("SDK raises typed errors", async () => {
      await expect(r.anthropic("nope").messages.create({ model: "coder", ...ask })).rejects.toMatchObject({ status: 401 });
      await expect(r.anthropic(KEY).messages.create({ model: "nothing-here", ...ask })).rejects.toMatchObject({ status: 404 });
    });

    it("a prompt beyond every target's context answers 'prompt is too long'", async () => {
      const huge = "word ".repeat(200_000);
      const res = await post({ model: "coder", max_tokens: 100, messages: [{ role: "user", content: huge }] });
      expect(res.status).toBe(400);
      expect(res.json.error.type).toBe("invalid_request_error");
      expect(res.json.error.message).toMatch(/^prompt is too long: \d+ tokens > \d+ maximum$/);
    });

    it("a backend failure before the first byte is an api_error", async () => {
      vllm.faults.set({ mode: "status", status: 500, statusCount: 1 });
      try {
        const res = await post({ model: "coder", ...ask });
        expect(res.status).toBe(502);
        expect(res.json.error.type).toBe("api_error");
      } finally {
        vllm.faults.clear();
      }
    });

    it("a busy backend is a rate_limit_error with retry-after", async () => {
      vllm.faults.set({ mode: "status", status: 429, statusCount: 1, retryAfterS: 2 });
      try {
        const res = await post({ model: "coder", ...ask });
        expect(res.status).toBe(429);
        expect(res.json.error.type).toBe("rate_limit_error");
      } finally {
        vllm.faults.clear();
      }
    });

    it("a backend's 400 keeps its message in Anthropic's shape", async () => {
      vllm.faults.set({
        mode: "status",
        status: 400,
        statusCount: 1,
        body: JSON.stringify({ object: "error", message: "bad sampling parameter", type: "BadRequestError", code: 400 }),
      });
      try {
        const res = await post({ model: "coder", ...ask });
        expect(res.status).toBe(400);
        expect(res.json).toEqual({ type: "error", error: { type: "invalid_request_error", message: "bad sampling parameter" } });
      } finally {
        vllm.faults.clear();
      }
    });
  });
});
