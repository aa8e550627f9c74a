// Anthropic Messages request → OpenAI chat-completions request, for engines without a native
// Messages endpoint. Field mapping follows https://docs.claude.com/en/api/messages and the OpenAI
// chat-completions reference; what is dropped is dropped on purpose (cache_control, metadata,
// hosted-tool blocks, redacted thinking) because a local engine has no use for it.
import { effortForBudget, reasoningControls } from "./reasoning.js";
import type {
  AnthropicContentBlockParam,
  AnthropicMessageParam,
  AnthropicMessagesRequest,
  AnthropicToolParam,
  AnthropicImageParam,
} from "./types/anthropic.js";
import type { OpenAIChatRequest, OpenAIContentPart, OpenAIMessage, OpenAITool, OpenAIToolCall, OpenAIToolChoice } from "./types/openai.js";

export interface AnthropicToOpenAIOptions {
  /** The model name as the backend knows it (the alias is resolved before translation). */
  model: string;
  /** A max_tokens already clamped to the target's context (see context.ts); default: the request's. */
  maxTokens?: number;
}

type SystemParam = AnthropicMessagesRequest["system"];

function systemText(system: SystemParam): string[] {
  if (system === undefined) return [];
  if (typeof system === "string") return system ? [system] : [];
  return system.map((b) => b.text).filter((t) => t.length > 0);
}

function imagePart(block: AnthropicImageParam): OpenAIContentPart {
  const src = block.source;
  const url = src.type === "base64" ? `data:${src.media_type};base64,${src.data}` : src.url;
  return { type: "image_url", image_url: { url } };
}

function documentText(block: Extract<AnthropicContentBlockParam, { type: "document" }>): string {
  const src = block.source;
  if (src.type === "text" && typeof src.data === "string") return block.title ? `${block.title}\n${src.data}` : src.data;
  return `[document omitted: ${src.media_type ?? src.type}]`;
}

function blocksToText(content: string | AnthropicContentBlockParam[]): string {
  if (typeof content === "string") return content;
  const parts: string[] = [];
  for (const b of content) {
    if (b.type === "text") parts.push(b.text);
    else if (b.type === "document") parts.push(documentText(b));
  }
  return parts.join("\n");
}

/** Tool results are text on every OpenAI-compatible engine; images inside them travel in the next user turn. */
function toolResultMessage(block: Extract<AnthropicContentBlockParam, { type: "tool_result" }>, images: OpenAIContentPart[]): OpenAIMessage {
  let text = "";
  if (typeof block.content === "string") text = block.content;
  else if (Array.isArray(block.content)) {
    const parts: string[] = [];
    for (const c of block.content) {
      if (c.type === "text") parts.push(c.text);
      else if (c.type === "image") images.push(imagePart(c));
      else parts.push(documentText(c));
    }
    text = parts.join("\n");
  }
  // is_error has no OpenAI field; say it in the content so the model sees the failure.
  if (block.is_error) text = text ? `Error: ${text}` : "Error";
  return { role: "tool", tool_call_id: block.tool_use_id, content: text };
}

function userMessages(content: string | AnthropicContentBlockParam[]): OpenAIMessage[] {
  if (typeof content === "string") return [{ role: "user", content }];
  const out: OpenAIMessage[] = [];
  const parts: OpenAIContentPart[] = [];
  const toolImages: OpenAIContentPart[] = [];
  for (const b of content) {
    switch (b.type) {
      case "tool_result":
        // Each result is its own tool message, in the client's order, before the user's remaining text.
        out.push(toolResultMessage(b, toolImages));
        break;
      case "text":
        parts.push({ type: "text", text: b.text });
        break;
      case "image":
        parts.push(imagePart(b));
        break;
      case "document":
        parts.push({ type: "text", text: documentText(b) });
        break;
      default:
        break; // thinking/tool_use in a user turn and hosted-tool blocks mean nothing to a local engine
    }
  }
  const all = [...toolImages, ...parts];
  if (all.length === 0) return out;
  // Plain text stays a string: some chat templates (llama.cpp without --jinja) only take strings.
  if (all.every((p) => p.type === "text")) out.push({ role: "user", content: all.map((p) => p.text).join("\n") });
  else out.push({ role: "user", content: all });
  return out;
}

function assistantMessage(content: string | AnthropicContentBlockParam[]): OpenAIMessage | undefined {
  if (typeof content === "string") return { role: "assistant", content };
  let text = "";
  let reasoning = "";
  const toolCalls: OpenAIToolCall[] = [];
  for (const b of content) {
    if (b.type === "text") text += b.text;
    else if (b.type === "thinking") reasoning += b.thinking;
    else if (b.type === "tool_use") {
      toolCalls.push({ id: b.id, type: "function", function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
    }
  }
  if (!text && !reasoning && toolCalls.length === 0) return undefined;
  const msg: Extract<OpenAIMessage, { role: "assistant" }> = { role: "assistant", content: text || (toolCalls.length ? null : "") };
  if (toolCalls.length) msg.tool_calls = toolCalls;
  // Prior thinking goes back as `reasoning` only, never into content, so it is not duplicated.
  if (reasoning) msg.reasoning = reasoning;
  return msg;
}

/**
 * The conversation as OpenAI messages. System text (the top-level `system` plus any system
 * message found mid-conversation) is merged into one leading system message, because many chat
 * templates reject a system message anywhere else ("System message must be at the beginning";
 * test/router/translate/anthropic-request.test.ts, "merges system blocks and mid-conversation
 * system messages into one leading system message").
 */
export function anthropicMessagesToOpenAI(system: SystemParam, messages: AnthropicMessageParam[]): OpenAIMessage[] {
  const systemParts = systemText(system);
  const turns: OpenAIMessage[] = [];
  for (const m of messages) {
    if (m.role === "system") {
      const t = blocksToText(m.content);
      if (t) systemParts.push(t);
    } else if (m.role === "user") {
      turns.push(...userMessages(m.content));
    } else {
      const a = assistantMessage(m.content);
      if (a) turns.push(a);
    }
  }
  return systemParts.length ? [{ role: "system", content: systemParts.join("\n\n") }, ...turns] : turns;
}

/** Custom tools become functions; Anthropic-hosted tools (no input_schema) cannot run locally and are dropped. */
export function anthropicToolsToOpenAI(tools: AnthropicToolParam[] | undefined): OpenAITool[] | undefined {
  if (!tools) return undefined;
  const out: OpenAITool[] = [];
  for (const t of tools) {
    if (!t.input_schema) continue;
    const fn: OpenAITool["function"] = { name: t.name, parameters: t.input_schema };
    if (t.description) fn.description = t.description;
    out.push({ type: "function", function: fn });
  }
  return out.length ? out : undefined;
}

function toolChoice(choice: AnthropicMessagesRequest["tool_choice"]): { tool_choice?: OpenAIToolChoice; parallel_tool_calls?: boolean } {
  if (!choice) return {};
  const out: { tool_choice?: OpenAIToolChoice; parallel_tool_calls?: boolean } = {};
  switch (choice.type) {
    case "auto":
      out.tool_choice = "auto";
      break;
    case "any":
      out.tool_choice = "required";
      break;
    case "tool":
      out.tool_choice = { type: "function", function: { name: choice.name } };
      break;
    case "none":
      out.tool_choice = "none";
      break;
  }
  if ("disable_parallel_tool_use" in choice && choice.disable_parallel_tool_use === true) out.parallel_tool_calls = false;
  return out;
}

export function anthropicToOpenAI(req: AnthropicMessagesRequest, opts: AnthropicToOpenAIOptions): OpenAIChatRequest {
  const out: OpenAIChatRequest = {
    model: opts.model,
    messages: anthropicMessagesToOpenAI(req.system, req.messages),
    max_tokens: opts.maxTokens ?? req.max_tokens,
  };
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.top_p !== undefined) out.top_p = req.top_p;
  if (req.top_k !== undefined) out.top_k = req.top_k;
  if (req.stop_sequences?.length) out.stop = req.stop_sequences;
  const tools = anthropicToolsToOpenAI(req.tools);
  if (tools) {
    out.tools = tools;
    Object.assign(out, toolChoice(req.tool_choice));
  } else if (req.tool_choice?.type === "none") {
    out.tool_choice = "none";
  }
  if (req.thinking) {
    const enabled = req.thinking.type !== "disabled";
    Object.assign(out, reasoningControls(enabled, enabled ? effortForBudget(req.thinking.budget_tokens) : undefined));
  }
  if (req.stream) {
    out.stream = true;
    // Without this OpenAI-compatible engines send no usage in a stream (vLLM docs: stream_options.include_usage).
    out.stream_options = { include_usage: true };
  }
  return out;
}
