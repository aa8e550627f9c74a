// Reading the engines' request bodies into one FakeRequest, and the default deterministic reply.

import type { FakeEngineKind, FakeReply, FakeRequest } from "./types.js";

type Json = Record<string, unknown>;

export function isRecord(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Text of an OpenAI, Anthropic or Ollama message content (string or array of parts). */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const parts: string[] = [];
  for (const part of content as unknown[]) {
    if (typeof part === "string") parts.push(part);
    else if (isRecord(part)) {
      if (typeof part.text === "string") parts.push(part.text);
      else if (part.type === "tool_result") parts.push(contentText(part.content));
      else if (part.type === "tool_use") parts.push(JSON.stringify(part.input ?? {}));
    }
  }
  return parts.join("\n");
}

function messagesOf(body: Json): { role: string; content: string }[] {
  const out: { role: string; content: string }[] = [];
  // Anthropic puts the system prompt beside the messages.
  if (body.system !== undefined) out.push({ role: "system", content: contentText(body.system) });
  if (Array.isArray(body.messages)) {
    for (const m of body.messages as unknown[]) {
      if (!isRecord(m)) continue;
      out.push({ role: typeof m.role === "string" ? m.role : "user", content: contentText(m.content) });
    }
  }
  return out;
}

function promptOf(body: Json): string | undefined {
  if (typeof body.prompt === "string") return body.prompt;
  if (Array.isArray(body.prompt)) return (body.prompt as unknown[]).filter((p) => typeof p === "string").join("\n");
  return undefined;
}

function maxTokensOf(body: Json): number | undefined {
  for (const v of [body.max_completion_tokens, body.max_tokens, isRecord(body.options) ? body.options.num_predict : undefined]) {
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) return v;
  }
  return undefined;
}

function toolNames(body: Json): string[] {
  if (!Array.isArray(body.tools)) return [];
  const names: string[] = [];
  for (const t of body.tools as unknown[]) {
    if (!isRecord(t)) continue;
    if (typeof t.name === "string") names.push(t.name);
    else if (isRecord(t.function) && typeof t.function.name === "string") names.push(t.function.name);
  }
  return names;
}

export function toFakeRequest(engine: FakeEngineKind, path: string, body: Json, streamDefault: boolean): FakeRequest {
  const messages = messagesOf(body);
  const prompt = promptOf(body);
  const lastUser = [...messages].reverse().find((m) => m.role === "user")?.content ?? prompt ?? "";
  return {
    engine,
    path,
    model: typeof body.model === "string" ? body.model : "",
    messages,
    ...(prompt !== undefined ? { prompt } : {}),
    lastUserMessage: lastUser,
    stream: typeof body.stream === "boolean" ? body.stream : streamDefault,
    ...(maxTokensOf(body) !== undefined ? { maxTokens: maxTokensOf(body) } : {}),
    tools: toolNames(body),
    body,
  };
}

/** Default generation: a fixed sentence quoting the start of the last user message. */
export function defaultReply(req: FakeRequest): FakeReply {
  const quoted = req.lastUserMessage.split(/\s+/).filter(Boolean).slice(0, 12).join(" ");
  return { content: `Reply from ${req.engine} ${req.model}: ${quoted}` };
}
