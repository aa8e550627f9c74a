// A Messages request made safe for an engine's own /v1/messages. Claude Code sends fields and
// blocks only Anthropic's API knows: `context_management` (the context-management-2025-06-27 beta;
// gateways that forward it get 400 "Extra inputs are not permitted", inflaborg/ccrelay#104),
// `output_config.effort` with `thinking: {type: "adaptive"}` (anthropics/claude-code#68551),
// `container`, `mcp_servers`, hosted tools without `input_schema`, and system messages in the middle
// of the conversation. vLLM's Messages endpoint validates strictly: roles user|assistant, block
// types text|image|tool_use|tool_result|thinking, tool_choice auto|any|tool, tools with input_schema
// (vllm/entrypoints/anthropic/protocol.py). So only what the engines read is forwarded.
import type { AnthropicMessagesRequest } from "./types/anthropic.js";

/** Top-level fields the engines' Messages endpoints read (vLLM protocol.py; Ollama's Anthropic compatibility adds thinking). */
const NATIVE_FIELDS = new Set([
  "model",
  "messages",
  "max_tokens",
  "metadata",
  "stop_sequences",
  "stream",
  "system",
  "temperature",
  "tool_choice",
  "tools",
  "top_k",
  "top_p",
  "thinking",
]);
const NATIVE_BLOCKS = new Set(["text", "image", "tool_use", "tool_result", "thinking"]);
const NATIVE_TOOL_CHOICES = new Set(["auto", "any", "tool"]);

type Block = Record<string, unknown> & { type: string };

function keepBlocks(content: unknown): unknown {
  if (!Array.isArray(content)) return content;
  // An empty thinking block is refused by Anthropic-style validators and carries nothing.
  return (content as Block[]).filter(
    (b) => NATIVE_BLOCKS.has(b.type) && !(b.type === "thinking" && typeof b.thinking === "string" && b.thinking.trim() === ""),
  );
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return (content as Block[])
    .filter((b) => b.type === "text" && typeof b.text === "string")
    .map((b) => b.text as string)
    .join("\n");
}

export function nativeMessagesBody(req: AnthropicMessagesRequest | Record<string, unknown>, model: string, maxTokens?: number): Record<string, unknown> {
  const src = req as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) if (NATIVE_FIELDS.has(k) && v !== undefined) out[k] = v;
  out.model = model;
  if (maxTokens !== undefined) out.max_tokens = maxTokens;

  // Mid-conversation system messages join the top-level system prompt, as in anthropicMessagesToOpenAI
  // (test/router/translate/anthropic-native.test.ts, "merges a mid-conversation system message ...").
  const extraSystem: string[] = [];
  const messages: unknown[] = [];
  for (const m of (src.messages as { role: string; content: unknown }[] | undefined) ?? []) {
    if (m.role === "system") {
      const t = textOf(m.content);
      if (t) extraSystem.push(t);
      continue;
    }
    const content = keepBlocks(m.content);
    if (Array.isArray(content) && content.length === 0) continue;
    messages.push({ ...m, content });
  }
  out.messages = messages;
  if (extraSystem.length > 0) {
    const base = src.system;
    if (base === undefined) out.system = extraSystem.join("\n\n");
    else if (typeof base === "string") out.system = [base, ...extraSystem].filter((s) => s.length > 0).join("\n\n");
    else out.system = [...(base as Block[]), ...extraSystem.map((text) => ({ type: "text", text }))];
  }

  if (Array.isArray(src.tools)) {
    // Hosted tools (web_search, code_execution...) have no input_schema and cannot run on a local engine.
    const tools = (src.tools as Record<string, unknown>[])
      .filter((t) => t.input_schema !== undefined && t.input_schema !== null)
      .map((t) => {
        const { type: _type, ...rest } = t;
        // `type: "custom"` is the default kind; engines that validate tools do not know the field.
        return _type === undefined || _type === "custom" ? rest : t;
      });
    if (tools.length > 0) out.tools = tools;
    else delete out.tools;
  }
  const choice = src.tool_choice as { type?: unknown } | undefined;
  if (choice !== undefined) {
    if (choice.type === "none") {
      // "none" has no native form on vLLM: offering no tools says the same.
      delete out.tools;
      delete out.tool_choice;
    } else if (typeof choice.type !== "string" || !NATIVE_TOOL_CHOICES.has(choice.type) || out.tools === undefined) {
      delete out.tool_choice;
    }
  }
  return out;
}
