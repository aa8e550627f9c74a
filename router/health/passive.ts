// Passive health: what real traffic says about a backend. Envoy-style outlier detection: eject after
// consecutive failures for base × times-ejected (capped, jittered); when it expires one trial request
// goes through; a success or a passing probe lifts the ejection. Busy (429, queue full) is not failure.
// The state it writes lives with the backend (backends/admission.ts).
import { admission, type PassiveState } from "../backends/admission.js";
import type { Backend } from "../backends/registry.js";

export interface EjectionPolicy {
  consecutiveFailures: number;
  baseMs: number;
  maxMs: number;
  jitter: number;
  busyMs: number;
}

/**
 * success: a response started; failure: transport error, 502/503/504, header timeout; refused: a
 * failure where nothing listened (connection refused); busy: 429 or queue full.
 */
export type Outcome = "success" | "failure" | "refused" | "busy";

/** `random` in [0,1) spreads re-admissions of backends ejected together. */
function ejectionMs(timesEjected: number, p: EjectionPolicy, random: number): number {
  const base = Math.min(p.baseMs * Math.max(1, timesEjected), p.maxMs);
  return Math.round(base * (1 + p.jitter * (2 * random - 1)));
}

/** Records one outcome; returns true when this outcome ejected the backend. */
export function recordOutcome(s: PassiveState, outcome: Outcome, now: number, p: EjectionPolicy, random: number, retryAfterMs?: number): boolean {
  const wasTrial = s.trialInFlight;
  s.trialInFlight = false;
  if (outcome === "busy") {
    s.busyUntil = now + (retryAfterMs ?? p.busyMs);
    return false;
  }
  if (outcome === "success") {
    s.consecutiveFailures = 0;
    s.ejected = false;
    return false;
  }
  s.lastRefused = outcome === "refused";
  s.consecutiveFailures++;
  if ((s.ejected && wasTrial) || (!s.ejected && s.consecutiveFailures >= p.consecutiveFailures)) {
    s.timesEjected++;
    s.ejected = true;
    s.ejectedUntil = now + ejectionMs(s.timesEjected, p, random);
    return true;
  }
  return false;
}

/** A request goes out now: when the backend's ejection has been served, it is the one trial; returns whether it is. */
export function beginTrial(s: PassiveState, now: number): boolean {
  if (admission(s, now) !== "trial") return false;
  s.trialInFlight = true;
  return true;
}

/** The trial is over, whatever its result (recorded by recordOutcome, or none for a client that left). */
export function endTrial(s: PassiveState): void {
  s.trialInFlight = false;
}

/**
 * A passing active probe ends an ejection once its time is served: probes do not run inference, so a
 * backend whose health endpoint is fine while generations fail must still sit out the ejection. An
 * ejection whose latest failure was a refused connection ends at once: nothing was listening then (a
 * crash, a stop), so a probe that answers means the engine was started again.
 */
export function liftByProbe(s: PassiveState, now: number): void {
  if (!s.ejected || (now < s.ejectedUntil && !s.lastRefused)) return;
  s.ejected = false;
  s.trialInFlight = false;
  s.consecutiveFailures = 0;
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds from now. */
export function retryAfterMs(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === "") return undefined;
  const s = Number(v);
  if (Number.isFinite(s) && s >= 0) return Math.min(s * 1000, 300_000);
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, Math.min(t - now, 300_000)) : undefined;
}

/**
 * A backend refused the router's key on a real request: a configuration error, not an outage. Its
 * health says so until its next probe judges it again.
 */
export function recordKeyRejected(b: Backend, status: number): void {
  b.health = "misconfigured";
  b.detail = `answered ${status} to a request: check its apiKey`;
}
