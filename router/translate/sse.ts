// Incremental decoder of an OpenAI-style SSE body (https://html.spec.whatwg.org/multipage/server-sent-events.html):
// bytes may split anywhere — inside a UTF-8 character, a line, or a CRLF — so text is decoded in
// streaming mode and only complete events are returned.
export class SseDataDecoder {
  private readonly decoder = new TextDecoder("utf-8");
  private buffer = "";
  private data: string[] = [];

  /** Returns the `data` payloads of every event completed by this chunk. */
  push(chunk: string | Uint8Array): string[] {
    this.buffer += typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    return this.drain(false);
  }

  /** Flushes a final event that lacked its blank line. */
  end(): string[] {
    this.buffer += this.decoder.decode();
    return this.drain(true);
  }

  private drain(final: boolean): string[] {
    const out: string[] = [];
    for (;;) {
      const nl = this.buffer.search(/\r\n|\r|\n/);
      if (nl < 0) break;
      // A lone CR at the end of the buffer may be the first half of a CRLF: wait for more.
      if (this.buffer[nl] === "\r" && nl === this.buffer.length - 1 && !final) break;
      const sep = this.buffer.startsWith("\r\n", nl) ? 2 : 1;
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + sep);
      this.line(line, out);
    }
    if (final) {
      if (this.buffer) this.line(this.buffer, out);
      this.buffer = "";
      this.line("", out);
    }
    return out;
  }

  private line(line: string, out: string[]): void {
    if (line === "") {
      if (this.data.length) out.push(this.data.join("\n"));
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
