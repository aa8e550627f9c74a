// Passthrough answers name the backend's model; clients asked for an alias (or a claude-* name) and
// some check the echo. The rule on every face: an answer's `model` is the name the client sent (the
// backend's is in x-router-model). These rewrite only the `model` field and pass everything else byte
// for byte.
import { StringDecoder } from "node:string_decoder";
import { isJsonObject, type StreamTranslator } from "./types.js";

/**
 * Lines of JSON (a whole JSON body is one line): each object's `model` becomes `model`. Only the new
 * chunk is searched for a line end; the start of an open line is kept as pieces (linear in the body,
 * test/router/translate/linear.test.ts).
 */
export class NdjsonModelEcho implements StreamTranslator {
  private readonly decoder = new StringDecoder("utf8");
  private partial: string[] = [];

  constructor(private readonly model: string) {}

  push(chunk: Buffer | string): string {
    const text = typeof chunk === "string" ? chunk : this.decoder.write(chunk);
    const cut = text.lastIndexOf("\n");
    if (cut < 0) {
      if (text.length > 0) this.partial.push(text);
      return "";
    }
    this.partial.push(text.slice(0, cut + 1));
    const whole = this.partial.join("");
    this.partial = cut + 1 < text.length ? [text.slice(cut + 1)] : [];
    return whole
      .split("\n")
      .map((line) => this.rewrite(line))
      .join("\n");
  }

  end(): string {
    this.partial.push(this.decoder.end());
    const rest = this.partial.join("");
    this.partial = [];
    return rest.length > 0 ? this.rewrite(rest) : "";
  }

  private rewrite(line: string): string {
    if (!line.includes('"model"')) return line;
    try {
      const o: unknown = JSON.parse(line);
      if (isJsonObject(o) && typeof o.model === "string") return JSON.stringify({ ...o, model: this.model });
    } catch {
      // not one whole JSON object: leave it as the backend sent it
    }
    return line;
  }
}

const EVENT_END = /\r?\n\r?\n/;

/** Anthropic SSE: the model is named once, in message_start; after it, bytes pass untouched. */
export class SseModelEcho implements StreamTranslator {
  private readonly decoder = new StringDecoder("utf8");
  private pending: string[] = [];
  private done = false;

  constructor(private readonly model: string) {}

  push(chunk: Buffer | string): string {
    const text = typeof chunk === "string" ? chunk : this.decoder.write(chunk);
    if (this.done) return text;
    let out = "";
    let rest = text;
    for (;;) {
      // An event ends at a blank line, which may begin in what is held: search the held tail (at most
      // 3 characters of "\r\n\r\n") and the new text, never the whole of what is held.
      const tail = this.heldTail();
      const m = EVENT_END.exec(tail + rest);
      if (!m) break;
      const endInRest = m.index + m[0].length - tail.length;
      this.pending.push(rest.slice(0, endInRest));
      const event = this.pending.join("");
      this.pending = [];
      rest = rest.slice(endInRest);
      const rewritten = this.rewrite(event);
      out += rewritten ?? event;
      if (rewritten !== undefined) {
        this.done = true;
        return out + rest;
      }
    }
    if (rest.length > 0) this.pending.push(rest);
    return out;
  }

  end(): string {
    this.pending.push(this.decoder.end());
    const rest = this.pending.join("");
    this.pending = [];
    return rest;
  }

  private heldTail(): string {
    let tail = "";
    for (let i = this.pending.length - 1; i >= 0 && tail.length < 3; i--) tail = (this.pending[i] ?? "") + tail;
    return tail.slice(-3);
  }

  /** The event with its model replaced, or undefined when it is not message_start. */
  private rewrite(event: string): string | undefined {
    const lines = event.split(/\r?\n/);
    const i = lines.findIndex((l) => l.startsWith("data:") && l.includes('"message_start"'));
    if (i < 0) return undefined;
    try {
      const o: unknown = JSON.parse(lines[i]!.slice(5));
      if (!isJsonObject(o) || o.type !== "message_start" || !isJsonObject(o.message)) return undefined;
      lines[i] = `data: ${JSON.stringify({ ...o, message: { ...o.message, model: this.model } })}`;
      return lines.join("\n");
    } catch {
      return undefined;
    }
  }
}

/**
 * OpenAI answers, a JSON body or SSE chunks, where every chunk names the model: each
 * `"model":"<backend's name>"` becomes the client's name. A search in the bytes (read as latin1, one
 * character a byte, so a split UTF-8 sequence cannot matter) rather than a parse per chunk, on the hot
 * path; a chunk with nothing to change passes as the same Buffer. Quotes inside JSON strings are
 * escaped, so the pattern can only be a real `model` member. Only a tail that could be the start of a
 * split pattern is held back, so an SSE event is never delayed. (A backend that escapes the name
 * differently keeps its own name.)
 */
export class OpenAIModelEcho implements StreamTranslator {
  private readonly patterns: readonly string[];
  private readonly replacement: string;
  private carry = "";

  constructor(backendModel: string, clientModel: string) {
    const latin1 = (s: string): string => Buffer.from(s).toString("latin1");
    const name = JSON.stringify(backendModel);
    this.patterns = [latin1(`"model":${name}`), latin1(`"model": ${name}`)];
    this.replacement = latin1(`"model":${JSON.stringify(clientModel)}`);
  }

  push(chunk: Buffer | string): Buffer {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    const carried = this.carry.length > 0;
    const text = this.carry + bytes.toString("latin1");
    let out = "";
    let i = 0;
    for (let at = text.indexOf('"model"'); at >= 0; at = text.indexOf('"model"', at + 1)) {
      const length = this.matchAt(text, at);
      if (length === 0) continue;
      out += text.slice(i, at) + this.replacement;
      i = at + length;
      at = i - 1;
    }
    const hold = Math.max(i, text.length - this.partialTail(text));
    this.carry = text.slice(hold);
    if (!carried && i === 0 && hold === text.length) return bytes;
    return Buffer.from(out + text.slice(i, hold), "latin1");
  }

  end(): string {
    const rest = Buffer.from(this.carry, "latin1").toString("utf8");
    this.carry = "";
    return rest;
  }

  private matchAt(text: string, at: number): number {
    for (const p of this.patterns) if (text.startsWith(p, at)) return p.length;
    return 0;
  }

  /** Length of the longest end of `text` that a pattern starts with (every pattern starts with a quote). */
  private partialTail(text: string): number {
    // SSE events and NDJSON lines end with a newline, which no pattern holds.
    if (text.charCodeAt(text.length - 1) === 0x0a) return 0;
    const longest = (this.patterns[1] ?? "").length - 1;
    let held = 0;
    for (let q = text.lastIndexOf('"'); q >= 0 && text.length - q <= longest; q = q > 0 ? text.lastIndexOf('"', q - 1) : -1) {
      const tail = text.slice(q);
      if (this.patterns.some((p) => p.startsWith(tail))) held = tail.length;
    }
    return held;
  }
}
