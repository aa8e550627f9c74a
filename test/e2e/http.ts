// Small HTTP helpers for the end-to-end suite: JSON calls, streamed bodies split into NDJSON
// lines or SSE events as they arrive, and bounded polling.

import { readFileSync } from "node:fs";

export interface JsonReply {
  status: number;
  contentType: string;
  body: unknown;
}

export async function getJson(url: string): Promise<JsonReply> {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", body: await res.json() };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonReply> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (e.g. Go's plain "404 page not found"): keep the text.
  }
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", body: parsed };
}

export interface OpenStream {
  status: number;
  contentType: string;
  /** Yields complete frames (NDJSON lines, or SSE events separated by a blank line) in order. */
  frames: AsyncGenerator<string>;
  abort(): void;
}

/**
 * POSTs and returns once the response headers are in; the body is read frame by frame, so a test
 * can stop reading (and disconnect) mid-stream.
 */
export async function openStream(url: string, body: unknown, framing: "ndjson" | "sse", headers: Record<string, string> = {}): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  const separator = framing === "ndjson" ? "\n" : "\n\n";
  async function* frames(): AsyncGenerator<string> {
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let at: number;
        while ((at = buffer.indexOf(separator)) >= 0) {
          const frame = buffer.slice(0, at);
          buffer = buffer.slice(at + separator.length);
          if (frame.trim() !== "") yield frame;
        }
      }
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    }
    if (buffer.trim() !== "") yield buffer;
  }
  return {
    status: res.status,
    contentType: res.headers.get("content-type") ?? "",
    frames: frames(),
    abort: () => controller.abort(),
  };
}

export async function collect(frames: AsyncGenerator<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const f of frames) out.push(f);
  return out;
}

export interface SseEvent {
  event?: string;
  data: string;
}

export function parseSse(frame: string): SseEvent {
  const event: SseEvent = { data: "" };
  const data: string[] = [];
  for (const line of frame.split("\n")) {
    if (line.startsWith("event:")) event.event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  event.data = data.join("\n");
  return event;
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Lines of a log file, read now (the engine appends as it goes). */
export function logLines(file: string): string[] {
  return readFileSync(file, "utf8").split("\n");
}
