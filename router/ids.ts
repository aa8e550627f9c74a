// Random ids (request ids, Anthropic message and tool-use ids). A counter behind a per-process prefix
// would be cheaper still, but it tells every client how many requests the router has served and lets
// one guess the ids of others; these are 96 random bits each. The random bytes are drawn in batches,
// so the hot path makes no call into the system's random source for most ids (a randomUUID per
// request showed up in profiles).
import { randomFillSync } from "node:crypto";

const pool = Buffer.alloc(12 * 512);
let offset = pool.length;

/** `bytes` random bytes as lowercase hex (two digits a byte). */
export function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString("hex", offset, offset + bytes);
  offset += bytes;
  return hex;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's x-request-id when it is a sane token, else a new one of 24 hex digits. */
export function requestId(incoming: string | string[] | undefined): string {
  return typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomHex(12);
}
