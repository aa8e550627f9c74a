// Moving bytes from a backend to a client: wait for the first chunk, then pass chunks through as they
// arrive (translated when dialects differ), pausing the backend while the client is slow, and cutting
// a backend that goes silent for longer than the idle limit.
import type { ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import type { StreamTranslator } from "../faces/types.js";

export class IdleTimeout extends Error {
  constructor(ms: number) {
    super(`no data from the backend for ${ms} ms`);
    this.name = "IdleTimeout";
  }
}

/** The first chunk of a body, or null when it ended empty. Leaves the stream paused. */
export function firstChunk(body: Readable): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      body.off("data", onData);
      body.off("end", onEnd);
      body.off("error", onError);
    };
    const onData = (c: Buffer): void => {
      body.pause();
      cleanup();
      resolve(c);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(null);
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(e);
    };
    body.on("data", onData);
    body.once("end", onEnd);
    body.once("error", onError);
  });
}

export type PumpEnd = { ok: true } | { ok: false; error: Error };

/** Writes the rest of `body` to `res`, respecting backpressure; never ends `res` itself. */
export function pump(body: Readable, res: ServerResponse, translator: StreamTranslator | undefined, idleMs: number): Promise<PumpEnd> {
  // A body that fit in its first chunk may have ended (or failed) before anyone listened again.
  if (body.errored) return Promise.resolve({ ok: false, error: body.errored });
  if (body.readableEnded) {
    if (translator) {
      const tail = translator.end();
      if (tail.length > 0) res.write(tail);
    }
    return Promise.resolve({ ok: true });
  }
  return new Promise((resolve) => {
    let waitingDrain = false;
    const timer = setTimeout(onIdle, idleMs);
    function onIdle(): void {
      body.destroy(new IdleTimeout(idleMs));
    }
    const onDrain = (): void => {
      waitingDrain = false;
      body.resume();
    };
    const finish = (r: PumpEnd): void => {
      clearTimeout(timer);
      body.off("data", onData);
      res.off("drain", onDrain);
      resolve(r);
    };
    const onData = (c: Buffer): void => {
      timer.refresh();
      const out = translator ? translator.push(c) : c;
      if (out.length === 0) return;
      if (!res.write(out) && !waitingDrain) {
        // While the client is slow the backend waits; memory stays bounded by the socket buffers.
        waitingDrain = true;
        body.pause();
        res.once("drain", onDrain);
      }
    };
    body.on("data", onData);
    body.once("end", () => {
      if (translator) {
        const tail = translator.end();
        if (tail.length > 0) res.write(tail);
      }
      finish({ ok: true });
    });
    body.once("error", (e: Error) => finish({ ok: false, error: e }));
    body.resume();
  });
}

/** Reads a small body (an error answer) as text, capped. */
export async function readSmall(body: Readable, cap = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    const b = c as Buffer;
    if (size + b.length > cap) {
      chunks.push(b.subarray(0, cap - size));
      body.destroy();
      break;
    }
    size += b.length;
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A human message from a backend's error body (OpenAI, Ollama, vLLM and llama.cpp shapes). */
export function upstreamMessage(text: string, status: number): string {
  try {
    const j = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    const m = typeof j.error === "string" ? j.error : (j.error?.message ?? j.message ?? j.detail);
    if (typeof m === "string" && m.length > 0) return m.slice(0, 500);
  } catch {
    // not JSON: fall through to the raw text
  }
  const t = text.trim().slice(0, 200);
  return t.length > 0 ? t : `status ${status}`;
}
