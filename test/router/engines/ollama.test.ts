// Ollama's /api/tags, /api/ps and /api/show, and its model names (engines/ollama.ts).
import { describe, expect, it } from "vitest";
import { ollamaName, parseOllamaPs, parseOllamaShow, parseOllamaTags } from "../../../router/engines/ollama.js";

describe("Ollama parsers", () => {
  it("reads Ollama's tags, ps and show", () => {
    expect(parseOllamaTags({ models: [{ name: "qwen3:8b", model: "qwen3:8b" }, { name: "llama3" }] })).toEqual(new Set(["qwen3:8b", "llama3"]));
    expect(parseOllamaPs({ models: [{ model: "qwen3:8b", expires_at: "2030-01-01T00:00:00Z", context_length: 8192 }] })).toEqual([
      { name: "qwen3:8b", expiresAt: Date.parse("2030-01-01T00:00:00Z"), contextLength: 8192 },
    ]);
    expect(parseOllamaShow({ model_info: { "qwen3.context_length": 40960 }, parameters: "temperature 0.6\nnum_ctx 16384" })).toEqual({ numCtx: 16384, trained: 40960 });
    expect(ollamaName("llama3")).toBe("llama3:latest");
  });
});
