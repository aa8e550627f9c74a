// A non-streamed answer in another dialect: collect the backend's JSON body, convert it once at the end.
// When the router streamed from the backend in the client's stead (see streamsInStead), the stream is
// assembled into that JSON body first.
import type { Engine } from "../config/schema.js";
import { OpenAIStreamAssembler, type AssembledKind } from "../translate/openai-assemble.js";
import type { StreamTranslator } from "./types.js";

/**
 * Whether a non-streamed request to this engine is sent as a stream and assembled: llama.cpp's
 * server cancels a generation whose client left only while streaming (ggml-org/llama.cpp#9273).
 */
export function streamsInStead(engine: Engine): boolean {
  return engine === "llamacpp";
}

export class WholeBodyTranslator implements StreamTranslator {
  private readonly chunks: Buffer[] = [];
  private readonly assembler: OpenAIStreamAssembler | undefined;

  constructor(
    private readonly convert: (json: unknown) => unknown,
    /**
     * The body to send when the backend's answer is not JSON, or its stream ended in an error event
     * (passed along) or with nothing (the status line is already out).
     */
    private readonly onMalformed: (streamError?: unknown) => unknown,
    /** Set when the backend streams an OpenAI answer that is to be assembled before converting. */
    assemble?: AssembledKind,
  ) {
    this.assembler = assemble ? new OpenAIStreamAssembler(assemble) : undefined;
  }

  push(chunk: Buffer | string): string {
    if (this.assembler) this.assembler.push(chunk);
    else this.chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    return "";
  }

  end(): string {
    let json: unknown;
    if (this.assembler) {
      const whole = this.assembler.result();
      if (!whole.ok) return JSON.stringify(this.onMalformed(whole.error));
      json = whole.body;
    } else {
      try {
        json = JSON.parse(Buffer.concat(this.chunks).toString("utf8"));
      } catch {
        return JSON.stringify(this.onMalformed());
      }
    }
    return JSON.stringify(this.convert(json));
  }
}
