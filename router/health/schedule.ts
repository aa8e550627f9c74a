// When the active probe (probe.ts) asks a backend again: the interval doubles while it is down, up to a
// cap, so a dead host is not hammered (test/router/health/schedule.test.ts).
import type { BackendHealth } from "../engines/types.js";

export interface ProbeTiming {
  intervalMs: number;
  timeoutMs: number;
  maxIntervalMs: number;
}

export function nextInterval(health: BackendHealth, previousMs: number, t: ProbeTiming, refused = false): number {
  // A refused connection costs the host nothing: probing it at the usual interval finds a restarted engine soon.
  if (health === "down" && refused) return t.intervalMs;
  if (health === "down" || health === "misconfigured") return Math.min(Math.max(previousMs, t.intervalMs) * 2, t.maxIntervalMs);
  return t.intervalMs;
}
