// What a benchmark request asks of the fake upstream. It travels inside the last message's text,
// the one part of a request every gateway forwards untouched (headers, paths and unknown body
// fields are rewritten or dropped by some of them).

export interface Directive {
  stream: boolean;
  /** Content chunks in a streamed answer (a role chunk, a finish chunk and [DONE] come on top). */
  chunks: number;
  /** Milliseconds between two content chunks; the first chunk is sent at once. */
  paceMs: number;
  /** Correlates the upstream's close event with the client's disconnect (W5). */
  id: string | undefined;
}

export const DEFAULT_CHUNKS = 16;
const MAX_CHUNKS = 100_000;
const MAX_PACE_MS = 10_000;

/** The text a client puts in its message so the upstream answers as asked. */
export function directiveText(d: { chunks: number; paceMs: number; id?: string | undefined }): string {
  return d.id === undefined ? `bench chunks=${d.chunks} pace=${d.paceMs}` : `bench chunks=${d.chunks} pace=${d.paceMs} id=${d.id}`;
}

function clampInt(raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number.parseInt(raw, 10);
  return Number.isFinite(n) && n >= 0 ? Math.min(n, max) : fallback;
}

function lastMessageText(body: unknown): string {
  if (typeof body !== "object" || body === null) return "";
  const messages = (body as { messages?: unknown }).messages;
  if (!Array.isArray(messages) || messages.length === 0) return "";
  const last: unknown = messages[messages.length - 1];
  if (typeof last !== "object" || last === null) return "";
  const content = (last as { content?: unknown }).content;
  if (typeof content === "string") return content;
  // Translated requests may carry content as parts: [{ type: "text", text }].
  if (Array.isArray(content)) {
    return content
      .map((p: unknown) => (typeof p === "object" && p !== null && typeof (p as { text?: unknown }).text === "string" ? (p as { text: string }).text : ""))
      .join(" ");
  }
  return "";
}

/** Reads the directive from a parsed chat completion request body. */
export function parseDirective(body: unknown): Directive {
  const stream = typeof body === "object" && body !== null && (body as { stream?: unknown }).stream === true;
  const fields = new Map<string, string>();
  for (const word of lastMessageText(body).split(/\s+/)) {
    const eq = word.indexOf("=");
    if (eq > 0) fields.set(word.slice(0, eq), word.slice(eq + 1));
  }
  const id = fields.get("id");
  return {
    stream,
    chunks: Math.max(1, clampInt(fields.get("chunks"), DEFAULT_CHUNKS, MAX_CHUNKS)),
    paceMs: clampInt(fields.get("pace"), 0, MAX_PACE_MS),
    id: id !== undefined && /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : undefined,
  };
}
