// What the router knows about each target of an alias when it picks one: health, admission, load,
// and whether the backend holds the model now (the probe's view, or the router's own between probes);
// and what a backend's queue needs to batch its waiters per model.
import type { AliasConfig, RouterConfig } from "../config/schema.js";
import { admission } from "../health/passive.js";
import type { Backend, BackendRegistry } from "../health/state.js";
import type { CandidateView } from "./pick.js";
import type { Batch } from "./queue.js";

/** Whether the backend holds the model now: the probe's view, or the router's own between probes. */
export function isResident(b: Backend, model: string, config: RouterConfig): boolean {
  if (b.adapter.servedMeansLoaded) return true;
  if (config.routing.trackResidency) {
    // Replays requests sent within a probe's timeout before its answer: the probe may predate them.
    b.residency.sync(b.models, b.lastProbeAt, config.health.timeoutMs);
    return b.residency.has(model);
  }
  return b.model(model)?.loaded === true;
}

export function candidateViews(alias: AliasConfig, registry: BackendRegistry, now: number, config: RouterConfig): CandidateView[] {
  // A plain loop: this runs on every request, and flatMap allocates an array per target.
  const out: CandidateView[] = [];
  for (let index = 0; index < alias.targets.length; index++) {
    const t = alias.targets[index] as AliasConfig["targets"][number];
    const b = registry.get(t.backend);
    if (!b) continue;
    const m = b.model(t.model);
    let warmth: CandidateView["warmth"];
    if (b.models === undefined) warmth = "unknown";
    else if (!m || !m.installed) warmth = "missing";
    else warmth = isResident(b, t.model, config) ? "loaded" : "cold";
    out.push({
      index,
      backend: b.name,
      model: t.model,
      health: b.health,
      admission: admission(b.passive, now),
      busy: b.passive.busyUntil > now,
      saturated: !b.slots.free,
      warmth,
      inFlight: b.inFlight,
    });
  }
  return out;
}

/** Batching per model for this backend's queue, when the policy asks for it and swapping models costs a load. */
export function batchFor(b: Backend, model: string, config: RouterConfig): Batch | undefined {
  const r = config.routing;
  if (r.policy !== "ranked" || !r.batchPerModel || b.adapter.servedMeansLoaded) return undefined;
  return { model, resident: (m) => isResident(b, m, config), maxBypass: r.maxBypass };
}
