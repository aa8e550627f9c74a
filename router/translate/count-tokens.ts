// POST /v1/messages/count_tokens over engines that are not Anthropic: count with the engine's own
// tokenizer where it has one, else an estimate that errs high. Never 0 for a non-empty request:
// Claude Code trusts the number to decide when to compact (Wei-Shaw/sub2api#657;
// test/router/translate/count-tokens.test.ts, "never answers 0 even when a tokenizer does").
import { anthropicMessagesToOpenAI, anthropicToolsToOpenAI } from "./anthropic-request.js";
import type { AnthropicContentBlockParam, AnthropicCountTokensRequest } from "./types/anthropic.js";
import type { OpenAIMessage, OpenAITool } from "./types/openai.js";

/** Anthropic's guide puts an image at about width×height/750 tokens, ~1600 at the largest size it keeps. */
const IMAGE_TOKENS = 1600;
const MESSAGE_OVERHEAD = 4;
const TOOL_OVERHEAD = 8;
const REQUEST_OVERHEAD = 8;

/**
 * Tokens of a text, erring high: BPE vocabularies average about 4 characters per token on English
 * and code, so ASCII is counted at 3 per token; other characters at one token per 2 UTF-8 bytes
 * (CJK ≈ 1.5 per character, emoji 2), above what common tokenizers produce.
 */
export function estimateTextTokens(text: string): number {
  let ascii = 0;
  let otherBytes = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) ascii++;
    else otherBytes += cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return Math.ceil(ascii / 3 + otherBytes / 2);
}

function blockTokens(b: AnthropicContentBlockParam): number {
  switch (b.type) {
    case "text":
      return estimateTextTokens(b.text);
    case "image":
      return IMAGE_TOKENS;
    case "document":
      return typeof b.source.data === "string" && b.source.type === "text" ? estimateTextTokens(b.source.data) : IMAGE_TOKENS;
    case "tool_use":
      return estimateTextTokens(b.name) + estimateTextTokens(JSON.stringify(b.input ?? {})) + TOOL_OVERHEAD;
    case "tool_result": {
      if (typeof b.content === "string") return estimateTextTokens(b.content) + TOOL_OVERHEAD;
      let n = TOOL_OVERHEAD;
      for (const c of b.content ?? []) n += blockTokens(c);
      return n;
    }
    case "thinking":
      return estimateTextTokens(b.thinking);
    default:
      return 0;
  }
}

/** The documented fallback estimate for a count_tokens (or messages) body. */
export function estimateInputTokens(req: AnthropicCountTokensRequest): number {
  let n = REQUEST_OVERHEAD;
  if (typeof req.system === "string") n += estimateTextTokens(req.system);
  else for (const b of req.system ?? []) n += estimateTextTokens(b.text);
  for (const m of req.messages) {
    n += MESSAGE_OVERHEAD;
    if (typeof m.content === "string") n += estimateTextTokens(m.content);
    else for (const b of m.content) n += blockTokens(b);
  }
  for (const t of req.tools ?? []) {
    n += TOOL_OVERHEAD + estimateTextTokens(t.name) + estimateTextTokens(t.description ?? "");
    if (t.input_schema) n += estimateTextTokens(JSON.stringify(t.input_schema));
  }
  return Math.max(1, n);
}

/** The count_tokens answer; a tokenizer that returned 0 for a real request is not believed. */
export function countTokensResponse(count: number): { input_tokens: number } {
  return { input_tokens: Math.max(1, Math.round(count)) };
}

export interface BackendCall<B> {
  method: "POST";
  path: string;
  body: B;
}

/** A prompt as an OpenAI-speaking engine sees it: chat messages (and tools), or a raw completion prompt. */
export type PromptForm = { messages: OpenAIMessage[]; tools?: OpenAITool[] } | { prompt: string };

export function openAIForm(req: AnthropicCountTokensRequest): { messages: OpenAIMessage[]; tools?: OpenAITool[] } {
  const messages = anthropicMessagesToOpenAI(req.system, req.messages);
  const tools = anthropicToolsToOpenAI(req.tools);
  return tools ? { messages, tools } : { messages };
}

/** The same high estimate over an OpenAI-form prompt (the Ollama face counts what it sends). */
export function estimatePromptFormTokens(form: PromptForm): number {
  if ("prompt" in form) return Math.max(1, REQUEST_OVERHEAD + estimateTextTokens(form.prompt));
  let n = REQUEST_OVERHEAD;
  for (const m of form.messages) {
    n += MESSAGE_OVERHEAD;
    if (typeof m.content === "string") n += estimateTextTokens(m.content);
    else if (Array.isArray(m.content)) for (const p of m.content) n += p.type === "text" ? estimateTextTokens(p.text) : IMAGE_TOKENS;
    if (m.role === "assistant") {
      for (const c of m.tool_calls ?? []) n += TOOL_OVERHEAD + estimateTextTokens(c.function.name) + estimateTextTokens(c.function.arguments);
      if (m.reasoning) n += estimateTextTokens(m.reasoning);
    }
  }
  for (const t of form.tools ?? []) {
    n +=
      TOOL_OVERHEAD +
      estimateTextTokens(t.function.name) +
      estimateTextTokens(t.function.description ?? "") +
      estimateTextTokens(JSON.stringify(t.function.parameters));
  }
  return Math.max(1, n);
}

/**
 * vLLM's POST /tokenize in its chat form: messages (and tools) rendered by the model's chat
 * template; answers {count, max_model_len, tokens} (vllm/entrypoints/serve/tokenize/protocol.py,
 * TokenizeChatRequest); a raw prompt goes in the completion form {model, prompt}
 * (TokenizeCompletionRequest).
 */
export function vllmTokenizeFormCall(form: PromptForm, model: string): BackendCall<Record<string, unknown>> {
  if ("prompt" in form) return { method: "POST", path: "/tokenize", body: { model, prompt: form.prompt } };
  return { method: "POST", path: "/tokenize", body: { model, ...form, add_generation_prompt: true } };
}

export function readVllmTokenize(body: unknown): { inputTokens: number; contextLength?: number } | undefined {
  if (!body || typeof body !== "object") return undefined;
  const o = body as Record<string, unknown>;
  const count = typeof o.count === "number" ? o.count : Array.isArray(o.tokens) ? o.tokens.length : undefined;
  if (count === undefined) return undefined;
  const out: { inputTokens: number; contextLength?: number } = { inputTokens: count };
  if (typeof o.max_model_len === "number") out.contextLength = o.max_model_len;
  return out;
}

/**
 * llama.cpp server, step 1: POST /apply-template renders the chat template without inference and
 * answers {prompt} (llama.cpp server README, "POST /apply-template", PR #11489).
 */
export function llamacppApplyTemplateFormCall(form: { messages: OpenAIMessage[]; tools?: OpenAITool[] }): BackendCall<Record<string, unknown>> {
  return { method: "POST", path: "/apply-template", body: { ...form } };
}

/** A raw prompt skips the template: it is tokenized as sent, with the model's BOS as the server adds it. */
export function llamacppRawTokenizeCall(prompt: string): BackendCall<{ content: string; add_special: boolean }> {
  return { method: "POST", path: "/tokenize", body: { content: prompt, add_special: true } };
}

/**
 * Step 2: POST /tokenize {content} answers {tokens: [...]}. The rendered prompt already holds the
 * template's BOS text, so no special tokens are added (README, "POST /tokenize": add_special).
 */
export function llamacppTokenizeCall(applyTemplateAnswer: unknown): BackendCall<{ content: string; add_special: boolean }> | undefined {
  if (!applyTemplateAnswer || typeof applyTemplateAnswer !== "object") return undefined;
  const prompt = (applyTemplateAnswer as Record<string, unknown>).prompt;
  if (typeof prompt !== "string") return undefined;
  return { method: "POST", path: "/tokenize", body: { content: prompt, add_special: false } };
}

export function readLlamacppTokenize(body: unknown): number | undefined {
  if (!body || typeof body !== "object") return undefined;
  const tokens = (body as Record<string, unknown>).tokens;
  return Array.isArray(tokens) ? tokens.length : undefined;
}
