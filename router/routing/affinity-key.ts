// What identifies a conversation, for session affinity (affinity.ts): the session id a client sends
// in a header, or else a digest of the request's stable prefix — the system prompt and the messages
// up to the first user message, which every later turn of the conversation repeats unchanged. Keys
// are per alias: one conversation may reach different aliases, each with its own targets.
import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/**
 * Headers that carry a per-conversation id, most specific first (docs/router.md, "Session affinity"):
 * Claude Code sends `x-claude-code-session-id` (a UUID per session, from v2.1.86); OpenCode's own
 * clients send `x-opencode-session`; Codex CLI sends `session-id`; `x-session-affinity` is the
 * name some gateways and SDKs use for the same thing.
 */
const SESSION_HEADERS = ["x-claude-code-session-id", "x-opencode-session", "session-id", "x-session-affinity"] as const;

/** Longest session id taken from a header: an id, not a payload. */
const MAX_SESSION_ID = 200;

/** The prefix digested is capped: two prompts alike for this long share the engine's cache anyway. */
const MAX_PREFIX_CHARS = 64 * 1024;

/** The client's session id from the first header that has a usable one. */
export function sessionFromHeaders(headers: IncomingHttpHeaders): string | undefined {
  for (const name of SESSION_HEADERS) {
    const v = headers[name];
    const s = Array.isArray(v) ? v[0] : v;
    if (s !== undefined && s.length > 0 && s.length <= MAX_SESSION_ID) return s;
  }
  return undefined;
}

type Body = Readonly<Record<string, unknown>>;

/** Text of a message's content (a string, or blocks with text), as far as `room` allows. */
function textOf(content: unknown, room: number): string {
  if (typeof content === "string") return content.slice(0, room);
  if (content === undefined || content === null) return "";
  return JSON.stringify(content).slice(0, room);
}

/**
 * The stable prefix of a chat request: the system prompt (Anthropic's `system` field, or leading
 * system messages), then every message up to and including the first user message. Undefined when
 * the body has neither messages nor a prompt (embeddings, model lists: nothing to keep warm).
 */
function stablePrefix(body: Body): string | undefined {
  const parts: string[] = [];
  let room = MAX_PREFIX_CHARS;
  const add = (s: string): void => {
    const piece = s.slice(0, room);
    parts.push(piece);
    room -= piece.length + 1;
  };
  if (body.system !== undefined) add(`s:${textOf(body.system, room)}`);
  const messages = body.messages;
  if (Array.isArray(messages)) {
    for (const m of messages as unknown[]) {
      if (room <= 0) break;
      if (typeof m !== "object" || m === null) continue;
      const { role, content } = m as { role?: unknown; content?: unknown };
      add(`${String(role)}:${textOf(content, room)}`);
      if (role === "user") break;
    }
    return parts.length > 0 ? parts.join("\n") : undefined;
  }
  // A completion (OpenAI `prompt`, Ollama /api/generate): the prompt's opening is its stable part.
  if (typeof body.prompt === "string" && body.prompt.length > 0) {
    add(`p:${body.prompt}`);
    return parts.join("\n");
  }
  return undefined;
}

/** The affinity key of a request on an alias: its session id if the client sent one, else its prefix's digest. */
export function conversationKey(alias: string, body: Body, session: string | undefined): string | undefined {
  if (session !== undefined) return `${alias}\0session\0${session}`;
  const prefix = stablePrefix(body);
  if (prefix === undefined) return undefined;
  // A digest, so the table holds ~60 bytes per conversation whatever the prompt's size.
  return `${alias}\0${createHash("sha256").update(prefix).digest("base64url")}`;
}
