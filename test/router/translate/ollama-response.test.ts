import { describe, expect, it } from "vitest";
import {
  ollamaStats,
  openAIToOllamaChat,
  openAIToOllamaEmbed,
  openAIToOllamaEmbeddings,
  openAIToOllamaGenerate,
} from "../../../router/translate/ollama-response.js";

const createdAt = new Date("2026-01-02T03:04:05.000Z");
const timing = { totalNs: 5_000_000_000, promptEvalNs: 1_000_000_000 };

describe("OpenAI → Ollama final objects", () => {
  it("builds /api/chat with thinking, tool calls as objects, counts and nanosecond durations", () => {
    const out = openAIToOllamaChat(
      {
        choices: [
          {
            message: {
              content: "",
              reasoning_content: "hmm",
              tool_calls: [{ id: "c", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } }],
            },
            finish_reason: "tool_calls",
          },
        ],
        usage: { prompt_tokens: 30, completion_tokens: 12 },
      },
      { model: "coder", timing, createdAt },
    );
    expect(out).toEqual({
      model: "coder",
      created_at: "2026-01-02T03:04:05.000Z",
      message: { role: "assistant", content: "", thinking: "hmm", tool_calls: [{ function: { name: "weather", arguments: { city: "Oslo" } } }] },
      done: true,
      done_reason: "stop",
      total_duration: 5_000_000_000,
      load_duration: 0,
      prompt_eval_count: 30,
      prompt_eval_duration: 1_000_000_000,
      eval_count: 12,
      eval_duration: 4_000_000_000,
    });
  });

  it("builds /api/generate from chat and from completions answers", () => {
    const fromChat = openAIToOllamaGenerate(
      { choices: [{ message: { content: "Rayleigh.", reasoning: "physics" }, finish_reason: "length" }] },
      { model: "m", timing, createdAt },
    );
    expect(fromChat).toMatchObject({ response: "Rayleigh.", thinking: "physics", done: true, done_reason: "length" });
    const fromText = openAIToOllamaGenerate(
      { choices: [{ text: "abc", finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 1 } },
      { model: "m", timing, createdAt },
    );
    expect(fromText).toMatchObject({ response: "abc", done_reason: "stop", prompt_eval_count: 3, eval_count: 1 });
  });

  it("orders embeddings by index", () => {
    const res = {
      data: [
        { index: 1, embedding: [2] },
        { index: 0, embedding: [1] },
      ],
      usage: { prompt_tokens: 4 },
    };
    expect(openAIToOllamaEmbed(res, { model: "e", timing: { totalNs: 10 } })).toEqual({
      model: "e",
      embeddings: [[1], [2]],
      total_duration: 10,
      load_duration: 0,
      prompt_eval_count: 4,
    });
    expect(openAIToOllamaEmbeddings(res)).toEqual({ embedding: [2] });
  });

  it("keeps durations consistent when the first-token time is unknown or too large", () => {
    expect(ollamaStats(null, { totalNs: 100 })).toMatchObject({ prompt_eval_duration: 0, eval_duration: 100, prompt_eval_count: 0 });
    expect(ollamaStats(null, { totalNs: 100, promptEvalNs: 500 })).toMatchObject({ prompt_eval_duration: 100, eval_duration: 0 });
  });
});
