// A non-streamed answer in another dialect: the backend's JSON body is collected whole (the router
// holds it before the client gets a byte, within limits.maxAnswerBytes) and converted once. When the
// router streamed from the backend in the client's stead (see streamsInStead), the stream is
// assembled into that JSON body first. A body that is not what the engine's dialect promises is the
// backend's failure, found before anything was sent: the attempt fails over or answers 502
// (test/router/proxy/whole-answer.test.ts).
import type { Engine } from "../config/schema.js";
import { OpenAIStreamAssembler, type AssembledKind } from "../translate/openai-assemble.js";
import { isJsonObject, type Converted, type WholeAnswer } from "./types.js";

/**
 * Whether a non-streamed request to this engine is sent as a stream and assembled: llama.cpp's
 * server cancels a generation whose client left only while streaming (ggml-org/llama.cpp#9273).
 */
export function streamsInStead(engine: Engine): boolean {
  return engine === "llamacpp";
}

/**
 * `Answer` is the shape the engine's dialect promises; it is taken on trust, and a body without it
 * makes `convertJson` throw, which is told as the backend's failure like any other bad body.
 */
export class WholeBodyTranslator<Answer extends object> implements WholeAnswer {
  constructor(
    private readonly convertJson: (json: Answer) => unknown,
    /** Set when the backend streams an OpenAI answer that is to be assembled before converting. */
    private readonly assemble?: AssembledKind,
  ) {}

  convert(body: Buffer | null): Converted {
    let json: unknown;
    if (this.assemble) {
      const assembler = new OpenAIStreamAssembler(this.assemble);
      if (body) assembler.push(body);
      const whole = assembler.result();
      if (!whole.ok) return { ok: false, detail: whole.error === undefined ? "its stream ended without an answer" : "its stream ended with an error event" };
      json = whole.body;
    } else {
      try {
        json = JSON.parse(body === null ? "" : body.toString("utf8"));
      } catch {
        return { ok: false, detail: "its answer is not JSON" };
      }
    }
    if (!isJsonObject(json)) return { ok: false, detail: "its answer is not a JSON object" };
    try {
      return { ok: true, body: JSON.stringify(this.convertJson(json as Answer)) };
    } catch {
      return { ok: false, detail: "its answer does not have the shape of its dialect's answer" };
    }
  }
}
