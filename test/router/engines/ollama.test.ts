// Ollama's /api/tags, /api/ps and /api/show as the probe reads them, and its model names (engines/ollama.ts).
import { describe, expect, it } from "vitest";
import { ollamaAdapter, ollamaName, parseOllamaTags } from "../../../router/engines/ollama.js";
import type { ProbeIO } from "../../../router/engines/types.js";

describe("Ollama parsers", () => {
  it("reads Ollama's tags, ps and show", async () => {
    expect(parseOllamaTags({ models: [{ name: "qwen3:8b", model: "qwen3:8b" }, { name: "llama3" }] })).toEqual(new Set(["qwen3:8b", "llama3"]));
    const answers: Record<string, unknown> = {
      "/api/version": { version: "0.12.0" },
      "/api/tags": { models: [{ name: "qwen3:8b", model: "qwen3:8b" }, { name: "llama3" }] },
      "/api/ps": { models: [{ model: "qwen3:8b", expires_at: "2030-01-01T00:00:00Z", context_length: 8192 }] },
    };
    const io: ProbeIO = {
      get: (path) => Promise.resolve({ status: 200, json: answers[path] }),
      post: (path) =>
        Promise.resolve(
          path === "/api/show"
            ? { status: 200, json: { model_info: { "qwen3.context_length": 40960 }, parameters: "temperature 0.6\nnum_ctx 16384" } }
            : { status: 404, json: undefined },
        ),
    };
    const report = await ollamaAdapter.probe(io, ["qwen3:8b", "llama3"], undefined);
    // A loaded model's context is the one /api/ps reports; an unloaded one's is /api/show's num_ctx.
    expect(report.models?.get("qwen3:8b")).toEqual({
      installed: true,
      loaded: true,
      expiresAt: Date.parse("2030-01-01T00:00:00Z"),
      contextLength: 8192,
      trainedContextLength: 40960,
    });
    expect(report.models?.get("llama3")).toEqual({ installed: true, loaded: false, contextLength: 16384, trainedContextLength: 40960 });
    expect(ollamaName("llama3")).toBe("llama3:latest");
  });
});
