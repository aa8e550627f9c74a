import { describe, expect, it } from "vitest";
import { resolveClaudeModel } from "../../../router/translate/claude-models.js";

describe("claude model names", () => {
  const families: [string, string | undefined][] = [
    ["claude-3-5-haiku-20241022", "haiku"],
    ["claude-haiku-4-5", "haiku"],
    ["claude-haiku-4-5-20251001", "haiku"],
    ["claude-sonnet-4-5-20250929", "sonnet"],
    ["claude-sonnet-4-5[1m]", "sonnet"],
    ["claude-3-7-sonnet-latest", "sonnet"],
    ["claude-3-opus-latest", "opus"],
    ["claude-opus-4-1", "opus"],
    ["Claude-Opus-4-1", "opus"],
    ["claude-instant-1.2", "other"],
    ["claude-sonnetish", "other"],
    ["coder", undefined],
    ["qwen3-coder:30b", undefined],
  ];
  // Each family mapped to an alias of its own name, no default: an unrecognised claude-* name maps
  // to nothing, any other name is an alias itself.
  const byFamily = { haiku: "haiku", sonnet: "sonnet", opus: "opus" };
  it.each(families)("%s → %s", (name, family) => expect(resolveClaudeModel(name, byFamily)).toBe(family === "other" ? undefined : (family ?? name)));

  it("maps families to aliases, falls back to default, and leaves alias names alone", () => {
    const map = { haiku: "micro", sonnet: "coder", default: "coder" };
    expect(resolveClaudeModel("claude-haiku-4-5-20251001", map)).toBe("micro");
    expect(resolveClaudeModel("claude-sonnet-4-5", map)).toBe("coder");
    expect(resolveClaudeModel("claude-opus-4-1", map)).toBe("coder");
    expect(resolveClaudeModel("claude-opus-4-1", { haiku: "micro" })).toBeUndefined();
    expect(resolveClaudeModel("claude-opus-4-1", undefined)).toBeUndefined();
    expect(resolveClaudeModel("agent", map)).toBe("agent");
  });
});
