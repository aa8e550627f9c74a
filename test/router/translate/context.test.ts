import { describe, expect, it } from "vitest";
import { anthropicFace } from "../../../router/faces/anthropic/index.js";
import { contextOverflowError, planOutputTokens } from "../../../router/translate/context.js";

describe("planOutputTokens", () => {
  const cases: [string, Parameters<typeof planOutputTokens>[0], ReturnType<typeof planOutputTokens>][] = [
    [
      "Claude Code's 32000 against a 32768 context is clamped, not refused",
      { promptTokens: 20_000, requestedMaxTokens: 32_000, contextLength: 32_768 },
      { fits: true, maxTokens: 32_768 - 20_000 - 328, clamped: true /* the default margin: 1% of the context */ },
    ],
    [
      "a request that fits is untouched",
      { promptTokens: 1000, requestedMaxTokens: 4096, contextLength: 131_072 },
      { fits: true, maxTokens: 4096, clamped: false },
    ],
    [
      "a prompt that fills the window does not fit",
      { promptTokens: 32_700, requestedMaxTokens: 100, contextLength: 32_768 },
      { fits: false, promptTokens: 32_700, contextLength: 32_768, available: 0 },
    ],
    [
      "minimum output is respected",
      { promptTokens: 900, requestedMaxTokens: 500, contextLength: 1000, margin: 0, minOutputTokens: 200 },
      { fits: false, promptTokens: 900, contextLength: 1000, available: 100 },
    ],
    ["explicit margin", { promptTokens: 900, requestedMaxTokens: 500, contextLength: 1000, margin: 0 }, { fits: true, maxTokens: 100, clamped: true }],
  ];
  it.each(cases)("%s", (_name, input, expected) => expect(planOutputTokens(input)).toEqual(expected));
});

describe("contextOverflowError", () => {
  it("speaks each dialect", () => {
    const a = contextOverflowError("anthropic", 40_000, 32_768);
    expect(a).toMatchObject({ status: 400, code: "context_length_exceeded" });
    expect(JSON.parse(anthropicFace.renderError(a).body)).toMatchObject({ error: { type: "invalid_request_error" } });
    expect(a.message).toMatch(/^prompt is too long: 40000 tokens > \d+ maximum$/);
    expect(contextOverflowError("ollama", 40_000, 32_768).message).toBe("the input length exceeds the context length (40000 prompt tokens, context 32768)");
  });
});
