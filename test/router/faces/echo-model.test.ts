// The model name an answer carries, rewritten to the one the client sent (faces/echo-model.ts).
import { describe, expect, it } from "vitest";
import { NdjsonModelEcho, OpenAIModelEcho, SseModelEcho } from "../../../router/faces/echo-model.js";

describe("model echo", () => {
  it("rewrites message_start only, across split chunks and a split multibyte character", () => {
    const body =
      'event: ping\ndata: {"type":"ping"}\n\n' +
      'event: message_start\ndata: {"type":"message_start","message":{"id":"m","model":"qwen3:8b","content":[]}}\n\n' +
      'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"text":"é \\"model\\":\\"x\\""}}\n\n';
    const bytes = Buffer.from(body);
    const t = new SseModelEcho("claude-haiku-4-5");
    let out = "";
    for (let i = 0; i < bytes.length; i += 7) out += t.push(bytes.subarray(i, i + 7));
    out += t.end();
    expect(out).toBe(body.replace('"model":"qwen3:8b"', '"model":"claude-haiku-4-5"'));
  });

  const chunk = (model: string, text: string, sep = ":"): string =>
    `data: {"id":"c1","object":"chat.completion.chunk","model"${sep}"${model}","choices":[{"delta":{"content":${JSON.stringify(text)}}}]}\n\n`;

  it("rewrites the model of every OpenAI chunk, however the bytes are split", () => {
    const body = chunk("org/M-1", "hi") + chunk("org/M-1", 'she said "model":"org/M-1"') + chunk("org/M-1", "é", ": ") + "data: [DONE]\n\n";
    const expected = chunk("coder", "hi") + chunk("coder", 'she said "model":"org/M-1"') + chunk("coder", "é") + "data: [DONE]\n\n";
    const bytes = Buffer.from(body);
    for (const step of [1, 2, 3, 5, 7, 11, 64, bytes.length]) {
      const t = new OpenAIModelEcho("org/M-1", "coder");
      const out: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += step) out.push(Buffer.from(t.push(bytes.subarray(i, i + step))));
      expect(Buffer.concat(out).toString() + t.end(), `step ${step}`).toBe(expected);
    }
  });

  it("holds nothing back when a chunk ends with a whole SSE event, and leaves other models alone", () => {
    const t = new OpenAIModelEcho("m", "coder");
    expect(t.push(chunk("m", "a")).toString()).toBe(chunk("coder", "a"));
    const untouched = Buffer.from(chunk("mm", "b"));
    expect(t.push(untouched)).toBe(untouched);
    expect(t.push('{"model":"m","object":"list"}').toString()).toBe('{"model":"coder","object":"list"}');
    expect(t.end()).toBe("");
  });

  it("rewrites every NDJSON line and a final line without newline", () => {
    const t = new NdjsonModelEcho("micro");
    const out = t.push('{"model":"qwen3:8b","done":false}\n{"model":"qwe') + t.push('n3:8b","done":true}') + t.end();
    expect(
      out
        .split("\n")
        .map((l) => JSON.parse(l) as { model: string })
        .map((o) => o.model),
    ).toEqual(["micro", "micro"]);
  });
});
