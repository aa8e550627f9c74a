import { describe, expect, it } from "vitest";
import { ollamaChatToOpenAI, ollamaEmbeddingsToOpenAI, ollamaEmbedToOpenAI, ollamaGenerateToOpenAI } from "../../../router/translate/ollama-request.js";
import { ollamaChatRequestSchema, ollamaEmbedRequestSchema, ollamaGenerateRequestSchema } from "../../../router/translate/types/ollama.js";

describe("ollamaChatToOpenAI", () => {
  it("translates messages, images, tool round trips, tools, format, think and streaming", () => {
    const req = ollamaChatRequestSchema.parse({
      model: "coder",
      messages: [
        { role: "system", content: "Be terse." },
        { role: "user", content: "What's here?", images: ["iVBORw0KGgoAAA"] },
        {
          role: "assistant",
          content: "",
          thinking: "need weather",
          tool_calls: [{ function: { name: "weather", arguments: { city: "Oslo" } } }, { function: { name: "time", arguments: {} } }],
        },
        { role: "tool", tool_name: "time", content: "12:00" },
        { role: "tool", tool_name: "weather", content: "rain" },
      ],
      tools: [
        { type: "function", function: { name: "weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
      ],
      format: { type: "object", properties: { a: { type: "string" } } },
      options: { num_predict: 256, temperature: 0.1, top_k: 20, stop: "###", seed: 7, repeat_penalty: 1.1, num_ctx: 8192 },
      think: true,
    });
    expect(ollamaChatToOpenAI(req, { model: "Qwen3" })).toEqual({
      model: "Qwen3",
      messages: [
        { role: "system", content: "Be terse." },
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgoAAA" } },
            { type: "text", text: "What's here?" },
          ],
        },
        {
          role: "assistant",
          content: null,
          reasoning: "need weather",
          tool_calls: [
            { id: "call_2_0", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } },
            { id: "call_2_1", type: "function", function: { name: "time", arguments: "{}" } },
          ],
        },
        { role: "tool", tool_call_id: "call_2_1", content: "12:00" },
        { role: "tool", tool_call_id: "call_2_0", content: "rain" },
      ],
      tools: [
        { type: "function", function: { name: "weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
      ],
      response_format: { type: "json_schema", json_schema: { name: "response", schema: { type: "object", properties: { a: { type: "string" } } } } },
      max_tokens: 256,
      temperature: 0.1,
      top_k: 20,
      seed: 7,
      repetition_penalty: 1.1,
      stop: ["###"],
      chat_template_kwargs: { enable_thinking: true },
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  const formats: [unknown, unknown][] = [
    ["json", { type: "json_object" }],
    ["", undefined],
    [undefined, undefined],
  ];
  it.each(formats)("format %j", (format, expected) => {
    const req = ollamaChatRequestSchema.parse({ model: "m", messages: [], format, stream: false });
    expect(ollamaChatToOpenAI(req, { model: "x" }).response_format).toEqual(expected);
  });

  const thinks: [unknown, unknown][] = [
    [false, { chat_template_kwargs: { enable_thinking: false } }],
    ["high", { chat_template_kwargs: { enable_thinking: true }, reasoning_effort: "high" }],
    [undefined, {}],
  ];
  it.each(thinks)("think %j", (think, expected) => {
    const out = ollamaChatToOpenAI(ollamaChatRequestSchema.parse({ model: "m", think }), { model: "x" });
    const picked: Record<string, unknown> = {};
    if (out.chat_template_kwargs) picked.chat_template_kwargs = out.chat_template_kwargs;
    if (out.reasoning_effort) picked.reasoning_effort = out.reasoning_effort;
    expect(picked).toEqual(expected);
  });

  it("leaves max_tokens unset for num_predict -1, and prefers a clamped value", () => {
    const chat = (options: Record<string, unknown>, maxTokens?: number) =>
      ollamaChatToOpenAI(ollamaChatRequestSchema.parse({ model: "m", messages: [{ role: "user", content: "hi" }], options }), {
        model: "x",
        ...(maxTokens !== undefined ? { maxTokens } : {}),
      });
    expect(chat({ num_predict: -1 }).max_tokens).toBeUndefined();
    expect(chat({ num_predict: 9000 }, 4000).max_tokens).toBe(4000);
  });

  it("sniffs image types", () => {
    const url = (image: string): unknown => {
      const out = ollamaChatToOpenAI(ollamaChatRequestSchema.parse({ model: "m", messages: [{ role: "user", content: "", images: [image] }] }), { model: "x" });
      const content = out.messages[0]?.content;
      return Array.isArray(content) && content[0]?.type === "image_url" ? content[0].image_url.url : undefined;
    };
    expect(url("/9j/4AAQ")).toBe("data:image/jpeg;base64,/9j/4AAQ");
    expect(url("R0lGODlh")).toMatch(/^data:image\/gif/);
    expect(url("UklGRh4")).toMatch(/^data:image\/webp/);
    expect(url("data:image/png;base64,AA")).toBe("data:image/png;base64,AA");
  });
});

describe("ollamaGenerateToOpenAI", () => {
  it("makes a templated prompt a one-turn chat with the system prompt", () => {
    const call = ollamaGenerateToOpenAI(ollamaGenerateRequestSchema.parse({ model: "m", prompt: "Why is the sky blue?", system: "Short.", stream: false }), {
      model: "x",
    });
    expect(call).toEqual({
      endpoint: "/v1/chat/completions",
      body: {
        model: "x",
        messages: [
          { role: "system", content: "Short." },
          { role: "user", content: "Why is the sky blue?" },
        ],
        stream: false,
      },
    });
  });

  it("sends raw and fill-in-the-middle prompts to /v1/completions untemplated", () => {
    const raw = ollamaGenerateToOpenAI(ollamaGenerateRequestSchema.parse({ model: "m", prompt: "[INST] hi [/INST]", raw: true, options: { num_predict: 5 } }), {
      model: "x",
    });
    expect(raw).toEqual({
      endpoint: "/v1/completions",
      body: { model: "x", prompt: "[INST] hi [/INST]", max_tokens: 5, stream: true, stream_options: { include_usage: true } },
    });
    const fim = ollamaGenerateToOpenAI(ollamaGenerateRequestSchema.parse({ model: "m", prompt: "def f(", suffix: "):", stream: false }), { model: "x" });
    expect(fim).toEqual({ endpoint: "/v1/completions", body: { model: "x", prompt: "def f(", suffix: "):", stream: false } });
  });
});

describe("embeddings", () => {
  it("maps /api/embed and /api/embeddings", () => {
    expect(ollamaEmbedToOpenAI(ollamaEmbedRequestSchema.parse({ model: "e", input: ["a", "b"], dimensions: 64 }), { model: "bge" })).toEqual({
      model: "bge",
      input: ["a", "b"],
      dimensions: 64,
    });
    expect(ollamaEmbeddingsToOpenAI({ model: "e", prompt: "a" }, { model: "bge" })).toEqual({ model: "bge", input: "a" });
  });

  it("rejects an empty input list with its path", () => {
    const r = ollamaEmbedRequestSchema.safeParse({ model: "e", input: [] });
    expect(r.success).toBe(false);
  });
});
