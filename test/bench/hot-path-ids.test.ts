import { describe, expect, it } from "vitest";
import { newMessageId, newToolUseId } from "../../router/translate/anthropic-response.js";

// Message and tool-use ids come from a process prefix and a counter (no random draw per id):
// they must keep Anthropic's shape and never repeat, across both kinds.
describe("Anthropic ids on the hot path", () => {
  it("keep the msg_/toolu_ shape with 24 hex digits", () => {
    expect(newMessageId()).toMatch(/^msg_[0-9a-f]{24}$/);
    expect(newToolUseId()).toMatch(/^toolu_[0-9a-f]{24}$/);
  });

  it("do not repeat over many draws", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      seen.add(newMessageId().slice(4));
      seen.add(newToolUseId().slice(6));
    }
    expect(seen.size).toBe(20_000);
  });
});
