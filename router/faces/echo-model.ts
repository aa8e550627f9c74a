// Passthrough answers name the backend's model; clients asked for an alias (or a claude-* name) and
// some check the echo. These rewrite only the `model` field and pass everything else byte for byte.
import { StringDecoder } from "node:string_decoder";
import type { StreamTranslator } from "./types.js";

/** Lines of JSON (a whole JSON body is one line): each object's `model` becomes `model`. */
export class NdjsonModelEcho implements StreamTranslator {
  private readonly decoder = new StringDecoder("utf8");
  private partial = "";

  constructor(private readonly model: string) {}

  push(chunk: Buffer | string): string {
    const text = this.partial + (typeof chunk === "string" ? chunk : this.decoder.write(chunk));
    const cut = text.lastIndexOf("\n");
    if (cut < 0) {
      this.partial = text;
      return "";
    }
    this.partial = text.slice(cut + 1);
    return text
      .slice(0, cut + 1)
      .split("\n")
      .map((line) => this.rewrite(line))
      .join("\n");
  }

  end(): string {
    const rest = this.partial + this.decoder.end();
    this.partial = "";
    return rest.length > 0 ? this.rewrite(rest) : "";
  }

  private rewrite(line: string): string {
    if (!line.includes('"model"')) return line;
    try {
      const o = JSON.parse(line) as unknown;
      if (typeof o === "object" && o !== null && !Array.isArray(o) && typeof (o as Record<string, unknown>).model === "string") {
        return JSON.stringify({ ...(o as Record<string, unknown>), model: this.model });
      }
    } catch {
      // not one whole JSON object: leave it as the backend sent it
    }
    return line;
  }
}

/** Anthropic SSE: the model is named once, in message_start; after it, bytes pass untouched. */
export class SseModelEcho implements StreamTranslator {
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";
  private done = false;

  constructor(private readonly model: string) {}

  push(chunk: Buffer | string): string {
    const text = typeof chunk === "string" ? chunk : this.decoder.write(chunk);
    if (this.done) return text;
    this.pending += text;
    let out = "";
    for (;;) {
      const m = /\r?\n\r?\n/.exec(this.pending);
      if (!m) break;
      const end = m.index + m[0].length;
      const event = this.pending.slice(0, end);
      this.pending = this.pending.slice(end);
      const rewritten = this.rewrite(event);
      out += rewritten ?? event;
      if (rewritten !== undefined) {
        this.done = true;
        out += this.pending;
        this.pending = "";
        break;
      }
    }
    return out;
  }

  end(): string {
    const rest = this.pending + this.decoder.end();
    this.pending = "";
    return rest;
  }

  /** The event with its model replaced, or undefined when it is not message_start. */
  private rewrite(event: string): string | undefined {
    const lines = event.split(/\r?\n/);
    const i = lines.findIndex((l) => l.startsWith("data:") && l.includes('"message_start"'));
    if (i < 0) return undefined;
    try {
      const o = JSON.parse(lines[i]!.slice(5)) as { type?: string; message?: Record<string, unknown> };
      if (o.type !== "message_start" || !o.message) return undefined;
      lines[i] = `data: ${JSON.stringify({ ...o, message: { ...o.message, model: this.model } })}`;
      return lines.join("\n");
    } catch {
      return undefined;
    }
  }
}
