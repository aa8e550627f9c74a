// Target choice, a pure function of what the registry knows: healthy before unhealthy, a loaded model
// before one that must load, free capacity before a queue, then the configured order; targets serving
// the same model rank by fewest requests outstanding. Ejected backends stay at the end: when nothing
// else is left, the best of them is still tried.
import type { BackendHealth } from "../engines/types.js";
import type { Admission } from "../backends/admission.js";
import type { Warmth } from "../backends/warmth.js";

export interface CandidateView {
  /** Position in the alias's configured order. */
  index: number;
  backend: string;
  model: string;
  health: BackendHealth;
  admission: Admission;
  busy: boolean;
  /** At maxConcurrency: a request would queue. */
  saturated: boolean;
  warmth: Warmth;
  inFlight: number;
}

function healthTier(c: CandidateView): number {
  if (c.health === "misconfigured") return 6;
  if (c.admission === "ejected") return 5;
  if (c.health === "down") return 4;
  if (c.health === "warming") return 3;
  if (c.busy) return 2;
  // When an ejection is served, the backend takes its place in the order again for one trial request
  // (which, if it fails before the first byte, still fails over).
  return c.health === "unknown" ? 1 : 0;
}

const warmthTier = { loaded: 0, unknown: 1, cold: 2, missing: 3 } as const;

/** A candidate's health and warmth tiers, lower is better: what session affinity must not make worse (affinity.ts). */
export function tiers(c: CandidateView): [health: number, warmth: number] {
  return [healthTier(c), warmthTier[c.warmth]];
}

/** Orders candidates best first. */
function rankTargets(candidates: readonly CandidateView[]): CandidateView[] {
  // Most aliases have one target: nothing to order, and this runs on every request.
  if (candidates.length < 2) return [...candidates];
  const firstOfModel = new Map<string, number>();
  for (const c of candidates) if (!firstOfModel.has(c.model)) firstOfModel.set(c.model, c.index);
  const key = (c: CandidateView): number[] => [
    healthTier(c),
    warmthTier[c.warmth],
    c.saturated ? 1 : 0,
    firstOfModel.get(c.model) ?? c.index,
    c.inFlight,
    c.index,
  ];
  return [...candidates]
    .map((c) => ({ c, k: key(c) }))
    .sort((a, b) => {
      for (let i = 0; i < a.k.length; i++) {
        const d = (a.k[i] ?? 0) - (b.k[i] ?? 0);
        if (d !== 0) return d;
      }
      return 0;
    })
    .map((x) => x.c);
}

/** One candidate per backend, best first: retries must land on different backends. */
function distinctBackends(ranked: readonly CandidateView[]): CandidateView[] {
  const seen = new Set<string>();
  return ranked.filter((c) => (seen.has(c.backend) ? false : (seen.add(c.backend), true)));
}

/**
 * The order in which a request tries its alias's targets, one per backend. `first` keeps the configured
 * order (the first target that answers serves: a baseline to measure the ranking against).
 */
export function orderTargets(views: CandidateView[], policy: "ranked" | "first"): CandidateView[] {
  // Most aliases have one target: nothing to order or de-duplicate.
  if (views.length < 2) return views;
  return distinctBackends(policy === "first" ? views : rankTargets(views));
}
