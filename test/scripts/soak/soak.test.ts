// The short soak in the default test run: router and fakes as child processes, backends killed and
// restarted, the config rewritten (valid and invalid), clients on all three faces, some aborting.
import { describe, expect, it } from "vitest";
import { runSoak } from "../../../scripts/soak/run.js";
import { formatSummary, mustBeZero } from "../../../scripts/soak/summary.js";

describe("short soak", () => {
  it("keeps every must-be-0 figure at 0 while backends flap and the config is rewritten", async () => {
    const s = await runSoak({ seconds: 20, clients: 64, flapEveryMs: 2_000, rewriteEveryMs: 1_500, abortRate: 0.1, seed: 7, json: false });
    // Printed so a failing run shows its figures.
    console.log(formatSummary(s));
    expect(mustBeZero(s)).toEqual({ failuresWithHealthyAlternative: 0, silentTruncations: 0, upstreamLeftOpen: 0, routerDown: 0 });
    // The faults really happened, and the load really ran.
    expect(s.backendKills).toBeGreaterThanOrEqual(3);
    expect(s.configRewrites.reloadsRejected).toBeGreaterThanOrEqual(1);
    expect(s.configRewrites.reloadsOk).toBeGreaterThanOrEqual(1);
    expect(s.succeeded).toBeGreaterThan(s.sent / 2);
    expect(s.abortedByClient).toBeGreaterThan(0);
    expect(s.retries).toBeGreaterThan(0);
  }, 90_000);
});
