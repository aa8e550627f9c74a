// The failover loop's one piece of arithmetic: each attempt's share of the first-byte deadline.
import { describe, expect, it } from "vitest";
import { shareOfDeadline } from "../../../router/proxy/deadline.js";

describe("shareOfDeadline", () => {
  it("splits what is left among the attempts still possible, this one included", () => {
    // retries.max 1: two attempts in all; three targets.
    expect(shareOfDeadline(30_000, 1, 3, 1)).toBe(15_000);
    expect(shareOfDeadline(15_000, 2, 2, 1)).toBe(15_000);
  });

  it("is bounded by the targets left, not only by the retries", () => {
    expect(shareOfDeadline(30_000, 1, 1, 5)).toBe(30_000);
    expect(shareOfDeadline(30_000, 1, 3, 5)).toBe(10_000);
  });

  it("gives the whole rest to the last attempt possible", () => {
    expect(shareOfDeadline(8_000, 3, 4, 2)).toBe(8_000);
    // Past the last retry (a spill that sent nothing does not count), never a share above what is left.
    expect(shareOfDeadline(8_000, 5, 4, 2)).toBe(8_000);
  });
});
