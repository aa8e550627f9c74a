// The cap on the longest line a translating or rewriting stream holds (limits.maxLineBytes). Every
// transform holds at most the line it is in (translate/lines.ts, faces/echo-model.ts), so counting the
// bytes since the last line end of what the backend sent bounds what it holds. Each chunk is searched
// once, from its end (test/router/translate/linear.test.ts, test/router/proxy/long-lines.test.ts).

/** A backend's line past limits.maxLineBytes: the answer ends with an error and the backend is blamed. */
export class LineTooLong extends Error {
  constructor(readonly maxBytes: number) {
    super(`the backend sent a line longer than limits.maxLineBytes (${maxBytes} bytes)`);
    this.name = "LineTooLong";
  }
}

export class LineGuard {
  /** Bytes since the last line end. */
  private open = 0;

  constructor(private readonly maxBytes: number) {}

  /** Throws LineTooLong when this chunk makes a line longer than the cap. */
  pass(chunk: Buffer | string): void {
    const lastEnd = Math.max(chunk.lastIndexOf("\n"), chunk.lastIndexOf("\r"));
    if (lastEnd < 0) {
      this.open += chunk.length;
    } else {
      // The line the chunk closes began in earlier chunks; lines inside the chunk are shorter than it.
      const firstEnd = firstLineEnd(chunk);
      if (this.open + firstEnd > this.maxBytes || lastEnd - firstEnd > this.maxBytes) throw new LineTooLong(this.maxBytes);
      this.open = chunk.length - lastEnd - 1;
    }
    if (this.open > this.maxBytes) throw new LineTooLong(this.maxBytes);
  }
}

function firstLineEnd(chunk: Buffer | string): number {
  const lf = chunk.indexOf("\n");
  const cr = chunk.indexOf("\r");
  return lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
}
