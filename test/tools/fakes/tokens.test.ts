// The fakes' toy tokenizer and chat template (tools/fakes/tokens.ts).
import { describe, expect, it } from "vitest";
import { countTokens, tokenize } from "../../../tools/fakes/index.js";

describe("toy tokenizer", () => {
  it.each([
    ["", 0],
    ["hello", 1],
    ["hello world", 2],
    ["hello, world!", 4],
    ["  spaced   out  ", 3],
    ["naïve café", 2],
  ])("counts %j as %i tokens", (text, n) => {
    expect(countTokens(text)).toBe(n);
    expect(tokenize(text)).toHaveLength(n);
  });
  it("is deterministic", () => {
    expect(tokenize("the same text")).toEqual(tokenize("the same text"));
  });
});
