// Incremental decoder of an OpenAI-style SSE body (https://html.spec.whatwg.org/multipage/server-sent-events.html):
// bytes may split anywhere — inside a UTF-8 character, a line, or a CRLF — so text is decoded in
// streaming mode and only complete events are returned. Each chunk is searched once (lines.ts).
import { LineSplitter } from "./lines.js";

export class SseDataDecoder {
  private readonly decoder = new TextDecoder("utf-8");
  private readonly lines = new LineSplitter();
  private data: string[] = [];
  private out: string[] = [];
  private readonly onLine = (line: string): void => this.line(line);

  /** Returns the `data` payloads of every event completed by this chunk. */
  push(chunk: string | Uint8Array): string[] {
    this.lines.push(typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true }), this.onLine);
    return this.flush();
  }

  /** Flushes a final event that lacked its blank line. */
  end(): string[] {
    this.lines.push(this.decoder.decode(), this.onLine);
    const last = this.lines.end();
    if (last !== undefined) this.line(last);
    this.line("");
    return this.flush();
  }

  private flush(): string[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private line(line: string): void {
    if (line === "") {
      if (this.data.length) this.out.push(this.data.join("\n"));
      this.data = [];
      return;
    }
    if (line.startsWith(":")) return; // comment / keep-alive
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
  }
}
