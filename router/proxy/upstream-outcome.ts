// What a backend call hands back to the attempt that made it: the decision (commit or fail over),
// how a relayed body ended, and why a call was stopped from this side.
import type { IncomingHttpHeaders } from "node:http";

/**
 * Enough to commit to this backend or fail over: the status and headers plus the first chunk (or null
 * for an empty body) of a success, or the text of an error answer (at most ERROR_TEXT_CAP bytes).
 */
export type Decision =
  { status: number; headers: IncomingHttpHeaders; ok: true; first: Buffer | null } | { status: number; headers: IncomingHttpHeaders; ok: false; text: string };

export type RelayEnd = { ok: true } | { ok: false; error: Error };

export class IdleTimeout extends Error {
  constructor(ms: number) {
    super(`no data from the backend for ${ms} ms`);
    this.name = "IdleTimeout";
  }
}

/** A whole answer past limits.maxAnswerBytes: the call is stopped, the rest never held. */
export class AnswerTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`whole answer larger than ${maxBytes} bytes`);
    this.name = "AnswerTooLarge";
  }
}

/** Why a call was stopped from this side: the client left, or a deadline passed. */
export class CallAborted extends Error {
  constructor() {
    super("request aborted");
    this.name = "AbortError";
  }
}

/** Error bodies are read up to this size; the rest is not waited for. */
const ERROR_TEXT_CAP = 64 * 1024;

/** The text of an error answer as it arrives, kept up to ERROR_TEXT_CAP bytes. */
export class ErrorText {
  private chunks: Buffer[] = [];
  private size = 0;

  /** Keeps what fits of `chunk`; true once the cap is reached (the rest is not needed). */
  add(chunk: Buffer): boolean {
    const room = ERROR_TEXT_CAP - this.size;
    if (chunk.length >= room) {
      this.chunks.push(chunk.subarray(0, room));
      this.size = ERROR_TEXT_CAP;
      return true;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    return false;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}
