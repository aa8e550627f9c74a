import { describe, expect, it } from "vitest";
import { newMessageId, newToolUseId } from "../../../router/translate/anthropic-response.js";

// Message and tool-use ids are random bytes drawn in batches (no call into the system's random source
// per id): they must keep Anthropic's shape, never repeat across both kinds, and reveal no counter.
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

  it("reveal no order: consecutive ids share no prefix, as a counter behind a fixed prefix would", () => {
    const ids = Array.from({ length: 50 }, () => newMessageId().slice(4));
    for (let i = 1; i < ids.length; i++) expect(commonPrefix(ids[i - 1] ?? "", ids[i] ?? "")).toBeLessThan(8);
  });
});

function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && a[n] === b[n]) n++;
  return n;
}
