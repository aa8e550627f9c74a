// Pure parts of the faces: passthrough-or-translate choice, version parsing, model echo rewriting.
import { describe, expect, it } from "vitest";
import { NdjsonModelEcho, OpenAIModelEcho, SseModelEcho } from "../../../router/faces/echo-model.js";
import { anthropicMode } from "../../../router/faces/anthropic/mode.js";

describe("anthropicMode", () => {
  it.each([
    ["auto", "ollama", "0.14.0", "native"],
    ["auto", "ollama", "0.17.4", "native"],
    ["auto", "ollama", "0.13.5", "translate"],
    ["auto", "ollama", undefined, "translate"],
    ["auto", "vllm", "0.11.2", "translate"],
    ["auto", "llamacpp", undefined, "translate"],
    ["native", "vllm", undefined, "native"],
    ["translate", "ollama", "0.17.0", "translate"],
  ] as const)("%s on %s %s → %s", (setting, engine, version, mode) => {
    expect(anthropicMode(setting, engine, version)).toBe(mode);
  });

  it.each([
    ["v0.14.1-rc2", true],
    ["0.14", true],
    ["1.0.0", true],
    ["0.9.9", false],
    ["dev", false],
  ])("an Ollama that reports version %s speaks Messages natively (0.14.0 or later): %s", (v, ok) => {
    expect(anthropicMode("auto", "ollama", v)).toBe(ok ? "native" : "translate");
  });
});

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
    expect(out.split("\n").map((l) => JSON.parse(l) as { model: string }).map((o) => o.model)).toEqual(["micro", "micro"]);
  });
});

