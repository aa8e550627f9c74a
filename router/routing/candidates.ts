// What the router knows about each target of an alias when it picks one: health, admission, load,
// and whether the backend holds the model now (the probe's view, or the router's own between probes);
// and what a backend's queue needs to batch its waiters per model.
import type { AliasConfig, RouterConfig } from "../config/schema.js";
import { admission } from "../backends/admission.js";
import type { Backend, BackendRegistry } from "../backends/registry.js";
import type { Batch } from "../backends/slots.js";
import { warmth } from "../backends/warmth.js";
import type { CandidateView } from "./pick.js";

export function candidateViews(alias: AliasConfig, registry: BackendRegistry, now: number, config: RouterConfig): CandidateView[] {
  // A plain loop: this runs on every request, and flatMap allocates an array per target.
  const out: CandidateView[] = [];
  for (let index = 0; index < alias.targets.length; index++) {
    const t = alias.targets[index] as AliasConfig["targets"][number];
    const b = registry.get(t.backend);
    if (!b) continue;
    out.push({
      index,
      backend: b.name,
      model: t.model,
      health: b.health,
      admission: admission(b.passive, now),
      busy: b.passive.busyUntil > now,
      saturated: !b.slots.free,
      warmth: warmth(b, t.model, config),
      inFlight: b.inFlight,
    });
  }
  return out;
}

/** Batching per model for this backend's queue, when the policy asks for it and swapping models costs a load. */
export function batchFor(b: Backend, model: string, config: RouterConfig, resident: (model: string) => boolean): Batch | undefined {
  const r = config.routing;
  if (r.policy !== "ranked" || !r.batchPerModel || b.adapter.servedMeansLoaded) return undefined;
  return { model, resident, maxBypass: r.maxBypass };
}
