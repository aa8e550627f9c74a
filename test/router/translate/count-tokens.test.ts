import { describe, expect, it } from "vitest";
import {
  countTokensResponse,
  estimateInputTokens,
  estimatePromptFormTokens,
  llamacppApplyTemplateFormCall,
  llamacppRawTokenizeCall,
  llamacppTokenizeCall,
  openAIForm,
  readLlamacppTokenize,
  readVllmTokenize,
  vllmTokenizeFormCall,
} from "../../../router/translate/count-tokens.js";
import { anthropicCountTokensRequestSchema } from "../../../router/translate/types/anthropic.js";

const body = anthropicCountTokensRequestSchema.parse({
  model: "claude-sonnet-4-5",
  system: [{ type: "text", text: "You are a coding assistant." }],
  messages: [
    { role: "user", content: "Please read src/main.ts and explain it." },
    { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "read", input: { path: "src/main.ts" } }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "export const x = 1;" }] },
  ],
  tools: [{ name: "read", description: "Read a file", input_schema: { type: "object", properties: { path: { type: "string" } } } }],
});

describe("estimates", () => {
  it("errs high against the usual ~4 characters per token, on ASCII and on CJK", () => {
    const english = "The quick brown fox jumps over the lazy dog. ".repeat(50);
    // A prompt's estimate less the empty prompt's is the text's own.
    const text = (t: string): number => estimatePromptFormTokens({ prompt: t }) - estimatePromptFormTokens({ prompt: "" });
    expect(text(english)).toBeGreaterThan(english.length / 4);
    expect(text("你好世界")).toBeGreaterThanOrEqual(4);
  });

  it("is never 0 for a request, and counts images, tools and tool traffic", () => {
    const tiny = anthropicCountTokensRequestSchema.parse({ model: "m", messages: [{ role: "user", content: "" }] });
    expect(estimateInputTokens(tiny)).toBeGreaterThan(0);
    const withImage = anthropicCountTokensRequestSchema.parse({
      model: "m",
      messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: "AA==" } }] }],
    });
    expect(estimateInputTokens(withImage)).toBeGreaterThanOrEqual(1600);
    const withoutTools = anthropicCountTokensRequestSchema.parse({ ...body, tools: undefined });
    expect(estimateInputTokens(body)).toBeGreaterThan(estimateInputTokens(withoutTools));
  });

  it("never answers 0 even when a tokenizer does", () => {
    expect(countTokensResponse(0)).toEqual({ input_tokens: 1 });
    expect(countTokensResponse(123)).toEqual({ input_tokens: 123 });
  });
});

describe("engine tokenizer calls", () => {
  it("builds vLLM's chat-form /tokenize with the translated conversation and tools", () => {
    const call = vllmTokenizeFormCall(openAIForm(body), "Qwen3-Coder");
    expect(call.path).toBe("/tokenize");
    expect(call.body).toMatchObject({ model: "Qwen3-Coder", add_generation_prompt: true });
    expect(call.body.messages).toEqual([
      { role: "system", content: "You are a coding assistant." },
      { role: "user", content: "Please read src/main.ts and explain it." },
      { role: "assistant", content: null, tool_calls: [{ id: "t1", type: "function", function: { name: "read", arguments: '{"path":"src/main.ts"}' } }] },
      { role: "tool", tool_call_id: "t1", content: "export const x = 1;" },
    ]);
    expect(call.body.tools).toHaveLength(1);
  });

  it("reads vLLM's answer, including max_model_len", () => {
    expect(readVllmTokenize({ count: 57, max_model_len: 32768, tokens: [] })).toEqual({ inputTokens: 57, contextLength: 32768 });
    expect(readVllmTokenize({ tokens: [1, 2, 3] })).toEqual({ inputTokens: 3 });
    expect(readVllmTokenize({ detail: "nope" })).toBeUndefined();
  });

  it("chains llama.cpp's /apply-template and /tokenize", () => {
    const first = llamacppApplyTemplateFormCall(openAIForm(body));
    expect(first.path).toBe("/apply-template");
    expect(first.body.messages).toHaveLength(4);
    const second = llamacppTokenizeCall({ prompt: "<|im_start|>system\nYou are..." });
    expect(second).toEqual({ method: "POST", path: "/tokenize", body: { content: "<|im_start|>system\nYou are...", add_special: false } });
    expect(llamacppTokenizeCall({ error: "x" })).toBeUndefined();
    expect(readLlamacppTokenize({ tokens: [1, 2, 3, 4] })).toBe(4);
    expect(readLlamacppTokenize({})).toBeUndefined();
  });
});

describe("prompt forms (what the Ollama face sends to OpenAI-speaking engines)", () => {
  it("the OpenAI-form estimate of a translated request stays at or above the Anthropic estimate's order", () => {
    const form = openAIForm(body);
    const n = estimatePromptFormTokens(form);
    // Same text, same per-character rule: the two estimates differ only by framing overheads.
    expect(Math.abs(n - estimateInputTokens(body))).toBeLessThan(40);
    expect(n).toBeGreaterThan(20);
  });

  it("counts a raw prompt and never answers 0", () => {
    expect(estimatePromptFormTokens({ prompt: "" })).toBeGreaterThan(0);
    expect(estimatePromptFormTokens({ prompt: "a".repeat(300) })).toBeGreaterThanOrEqual(100);
  });

  it("counts tool calls and images in the messages", () => {
    const bare = estimatePromptFormTokens({ messages: [{ role: "assistant", content: null }] });
    const withCall = estimatePromptFormTokens({
      messages: [
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c", type: "function", function: { name: "read", arguments: JSON.stringify({ path: "x".repeat(90) }) } }],
        },
      ],
    });
    expect(withCall - bare).toBeGreaterThan(30);
    const image = estimatePromptFormTokens({
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] }],
    });
    expect(image).toBeGreaterThan(1000);
  });

  it.each([
    [
      "chat form",
      { messages: [{ role: "user" as const, content: "hi" }] },
      { model: "m", messages: [{ role: "user", content: "hi" }], add_generation_prompt: true },
    ],
    ["completion form", { prompt: "raw text" }, { model: "m", prompt: "raw text" }],
  ])("vLLM /tokenize in the %s", (_name, form, expected) => {
    expect(vllmTokenizeFormCall(form, "m")).toEqual({ method: "POST", path: "/tokenize", body: expected });
  });

  it("llama.cpp tokenizes a raw prompt directly, with the model's special tokens", () => {
    expect(llamacppRawTokenizeCall("raw text")).toEqual({ method: "POST", path: "/tokenize", body: { content: "raw text", add_special: true } });
  });
});
