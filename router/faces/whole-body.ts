// A non-streamed answer in another dialect: collect the backend's JSON body, convert it once at the end.
import type { StreamTranslator } from "./types.js";

export class WholeBodyTranslator implements StreamTranslator {
  private readonly chunks: Buffer[] = [];

  constructor(
    private readonly convert: (json: unknown) => unknown,
    /** The body to send when the backend's answer is not JSON (the status line is already out). */
    private readonly onMalformed: () => unknown,
  ) {}

  push(chunk: Buffer | string): string {
    this.chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    return "";
  }

  end(): string {
    let json: unknown;
    try {
      json = JSON.parse(Buffer.concat(this.chunks).toString("utf8"));
    } catch {
      return JSON.stringify(this.onMalformed());
    }
    return JSON.stringify(this.convert(json));
  }
}
