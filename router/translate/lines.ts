// Splitting text that arrives in chunks into lines, in time linear in the text: only each new chunk is
// searched, and the start of a line still open is kept as a list of pieces (joined once, when its end
// arrives), never as one growing string that every chunk would search (and copy) again
// (test/router/translate/linear.test.ts). How long a line may grow is the relay's cap
// (limits.maxLineBytes, proxy/line-guard.ts).

/**
 * Lines ended by CRLF, CR or LF (the SSE rule, https://html.spec.whatwg.org/multipage/server-sent-events.html),
 * without their ends. A CR at the end of a chunk ends its line at once; an LF that opens the next chunk
 * is then the second half of that CRLF, not an empty line.
 */
export class LineSplitter {
  private readonly lineEnd = /\r\n|\r|\n/g;
  private pieces: string[] = [];
  private afterCr = false;

  /** Calls onLine for each line this chunk completes, in order. */
  push(text: string, onLine: (line: string) => void): void {
    let from = 0;
    if (this.afterCr && text.charCodeAt(0) === 0x0a) from = 1;
    this.afterCr = false;
    const re = this.lineEnd;
    re.lastIndex = from;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const line = this.take(text.slice(from, m.index));
      from = m.index + m[0].length;
      if (m[0] === "\r" && from === text.length) this.afterCr = true;
      onLine(line);
    }
    if (from < text.length) this.pieces.push(text.slice(from));
  }

  /** The last line, when the text ended without a line end (undefined when nothing is held). */
  end(): string | undefined {
    if (this.pieces.length === 0) return undefined;
    return this.take("");
  }

  private take(last: string): string {
    if (this.pieces.length === 0) return last;
    this.pieces.push(last);
    const line = this.pieces.join("");
    this.pieces = [];
    return line;
  }
}
