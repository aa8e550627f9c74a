// What traffic says about a backend (health/passive.ts): ejection arithmetic, trials, busy, Retry-After.
import { describe, expect, it } from "vitest";
import { admission, freshPassive } from "../../../router/backends/admission.js";
import { liftByProbe, recordOutcome, retryAfterMs } from "../../../router/health/passive.js";

describe("passive health", () => {
  const policy = { consecutiveFailures: 3, baseMs: 30_000, maxMs: 300_000, jitter: 0.1, busyMs: 2_000 };

  it.each([
    [1, 0.5, 30_000],
    [2, 0.5, 60_000],
    [20, 0.5, 300_000],
    [1, 0, 27_000],
    [1, 0.999999, 33_000],
  ])("ejection time after %i ejections (random %f) is %i ms", (times, random, ms) => {
    const s = freshPassive();
    s.timesEjected = times - 1;
    for (let i = 0; i < policy.consecutiveFailures; i++) recordOutcome(s, "failure", 1_000, policy, random);
    expect(s.ejectedUntil - 1_000).toBe(ms);
  });

  it("ejects on the third consecutive failure, admits one trial after the time, re-ejects longer if it fails", () => {
    const s = freshPassive();
    expect(recordOutcome(s, "failure", 0, policy, 0.5)).toBe(false);
    expect(recordOutcome(s, "failure", 0, policy, 0.5)).toBe(false);
    expect(recordOutcome(s, "failure", 0, policy, 0.5)).toBe(true);
    expect(admission(s, 29_999)).toBe("ejected");
    expect(admission(s, 30_000)).toBe("trial");
    s.trialInFlight = true;
    expect(admission(s, 30_000)).toBe("ejected");
    expect(recordOutcome(s, "failure", 30_000, policy, 0.5)).toBe(true);
    expect(s.ejectedUntil).toBe(90_000);
    expect(recordOutcome(s, "success", 90_000, policy, 0.5)).toBe(false);
    expect(admission(s, 90_000)).toBe("open");
  });

  it("a success resets the count; busy never ejects and honours Retry-After", () => {
    const s = freshPassive();
    recordOutcome(s, "failure", 0, policy, 0.5);
    recordOutcome(s, "failure", 0, policy, 0.5);
    recordOutcome(s, "success", 0, policy, 0.5);
    expect(recordOutcome(s, "failure", 0, policy, 0.5)).toBe(false);
    for (let i = 0; i < 10; i++) recordOutcome(s, "busy", 100, policy, 0.5, 5_000);
    expect(s.ejected).toBe(false);
    expect(s.busyUntil).toBe(5_100);
  });

  it("a passing probe lifts an ejection only once its time is served", () => {
    const s = freshPassive();
    for (let i = 0; i < 3; i++) recordOutcome(s, "failure", 0, policy, 0.5);
    liftByProbe(s, 10_000);
    expect(s.ejected).toBe(true);
    liftByProbe(s, 30_000);
    expect(s.ejected).toBe(false);
  });

  it.each([
    ["5", 5_000],
    ["0", 0],
    ["junk", undefined],
    [undefined, undefined],
    ["Thu, 01 Jan 1970 00:00:10 GMT", 10_000],
  ])("Retry-After %s → %s ms", (header, ms) => {
    expect(retryAfterMs(header, 0)).toBe(ms);
  });
});
