// An OpenAI stream whose client did not ask for usage is still sent with
// stream_options.include_usage, so the engine reports the tokens the router counts
// (telemetry/usage.ts reads them from the backend's bytes); the one extra chunk this adds — no
// choices, only usage ("the choices field will always be an empty array", OpenAI API reference,
// stream_options) — is taken out again here, so the client gets the stream it asked for
// (test/router/faces/usage-chunk.test.ts). Events pass as they complete; only an event's unfinished
// end waits for the rest of it, and a chunk without usage in it passes as the same Buffer.
import { isJsonObject, type JsonObject, type StreamTranslator } from "./types.js";

/** Past this, an event without an end is passed on as it is (it is no usage chunk). */
const MAX_HELD = 1 << 20;
const USAGE = [Buffer.from('"usage":{'), Buffer.from('"usage": {')] as const;
const NO_CHOICES = /"choices"\s*:\s*\[\s*\]/;

/** Whether the client's body asks for usage in its stream. */
export function asksForUsage(body: Readonly<JsonObject>): boolean {
  const o = body.stream_options;
  return isJsonObject(o) && o.include_usage === true;
}

/** The body with include_usage on, the client's other stream_options kept. */
export function withUsage(body: JsonObject): JsonObject {
  const o = body.stream_options;
  return { ...body, stream_options: { ...(typeof o === "object" && o !== null ? o : {}), include_usage: true } };
}

export class UsageChunkDrop implements StreamTranslator {
  private carry: Buffer | undefined;

  /** `inner` translates first (the model echo), when there is one. */
  constructor(private readonly inner?: StreamTranslator) {}

  push(chunk: Buffer | string): Buffer | string {
    const out = this.inner ? this.inner.push(chunk) : chunk;
    const bytes = typeof out === "string" ? Buffer.from(out) : out;
    const all = this.carry ? Buffer.concat([this.carry, bytes]) : bytes;
    // An event ends at a blank line: "\n\n" or "\r\n\r\n" (both end in "\n\r?\n").
    const lf = all.lastIndexOf("\n\n");
    const crlf = all.lastIndexOf("\n\r\n");
    const cut = Math.max(lf < 0 ? -1 : lf + 2, crlf < 0 ? -1 : crlf + 3);
    if (cut < 0) {
      this.carry = all.length > 0 && all.length <= MAX_HELD ? all : undefined;
      return this.carry ? "" : all;
    }
    this.carry = cut < all.length ? all.subarray(cut) : undefined;
    const events = cut < all.length ? all.subarray(0, cut) : all;
    return USAGE.some((u) => events.includes(u)) ? dropUsageOnly(events) : events;
  }

  end(): string {
    const tail = (this.carry?.toString("utf8") ?? "") + (this.inner?.end() ?? "");
    this.carry = undefined;
    return tail;
  }
}

/** Whole events without the ones that carry usage and no choices. */
function dropUsageOnly(events: Buffer): string {
  return events
    .toString("utf8")
    .split(/(?<=\n\r?\n)/)
    .filter((e) => !(e.includes('"usage"') && NO_CHOICES.test(e)))
    .join("");
}
