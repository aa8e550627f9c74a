// Small HTTP helpers shared by the engine fakes: bodies, JSON answers, event-stream and NDJSON
// writers that respect backpressure and stop quietly once the client is gone.

import type { IncomingMessage, ServerResponse } from "node:http";

const BODY_LIMIT = 64 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new Error("request body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Writes and waits for `drain` when the socket buffer is full; false once the client is gone. */
export async function writeChunk(res: ServerResponse, chunk: string): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return false;
  if (res.write(chunk)) return true;
  // Listeners, not events.once, which rejects on 'error' when the client went away mid-write.
  return new Promise((resolve) => {
    const settle = (v: boolean): void => {
      res.off("close", onClose);
      res.off("drain", onDrain);
      resolve(v);
    };
    const onClose = (): void => settle(false);
    const onDrain = (): void => settle(true);
    res.once("close", onClose);
    res.once("drain", onDrain);
  });
}

export function startEventStream(res: ServerResponse): void {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  res.flushHeaders();
}

export function startNdjson(res: ServerResponse): void {
  // Ollama streams newline-delimited JSON with this content type (docs.ollama.com/api, "Streaming responses").
  res.writeHead(200, { "content-type": "application/x-ndjson" });
  res.flushHeaders();
}

export function sseData(obj: unknown): string {
  return `data: ${JSON.stringify(obj)}\n\n`;
}

export function sseEvent(event: string, obj: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(obj)}\n\n`;
}

export function endResponse(res: ServerResponse, tail?: string): void {
  if (res.destroyed || res.writableEnded) return;
  if (tail !== undefined) res.end(tail);
  else res.end();
}

/** Resolves after `ms`, or at once when the signal aborts (never rejects). */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Resolves when the signal aborts. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
