// The active probe's schedule (health/schedule.ts).
import { describe, expect, it } from "vitest";
import { nextInterval } from "../../../router/health/schedule.js";

describe("probe interval", () => {
  it.each([
    ["up", 5_000, 5_000],
    ["down", 5_000, 10_000],
    ["down", 40_000, 60_000],
    ["misconfigured", 10_000, 20_000],
    ["warming", 60_000, 5_000],
  ] as const)("probe interval when %s after %i ms is %i ms", (health, prev, next) => {
    expect(nextInterval(health, prev, { intervalMs: 5_000, timeoutMs: 2_000, maxIntervalMs: 60_000 })).toBe(next);
  });
});
