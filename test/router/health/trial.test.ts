// An ejected backend whose time is served gets one trial request at a time, written by the passive
// tracker only.
import { describe, expect, it } from "vitest";
import { admission, freshPassive } from "../../../router/backends/admission.js";
import { beginTrial, endTrial, recordOutcome } from "../../../router/health/passive.js";

const policy = { consecutiveFailures: 1, baseMs: 1_000, maxMs: 10_000, jitter: 0, busyMs: 500 };

describe("trial requests", () => {
  it("none while open or still ejected; one once the ejection is served; another after it ends", () => {
    const s = freshPassive();
    expect(beginTrial(s, 0)).toBe(false);
    recordOutcome(s, "failure", 0, policy, 0.5);
    expect(beginTrial(s, 500)).toBe(false);
    expect(beginTrial(s, 1_000)).toBe(true);
    expect(admission(s, 1_000)).toBe("ejected");
    expect(beginTrial(s, 1_000)).toBe(false);
    endTrial(s);
    expect(beginTrial(s, 1_001)).toBe(true);
  });
});
