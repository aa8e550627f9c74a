// Whether a model is warm on a backend: one rule for picking a target (routing/candidates.ts), for
// /status and for the model lists the faces answer (aliases/views.ts); its first half, whether the
// model is there at all, is what the state-change log asks (health/changes.ts).
import type { RouterConfig } from "../config/schema.js";
import type { Backend } from "./registry.js";

/** loaded: no wait; cold: installed but must load; missing: not on the backend; unknown: not probed. */
export type Warmth = "loaded" | "cold" | "missing" | "unknown";

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

/** Whether the model is on the backend at all, from its last model list; `unknown` before the first one. */
export function presence(b: Backend | undefined, model: string): "installed" | "missing" | "unknown" {
  if (b === undefined || b.models === undefined) return "unknown";
  return b.model(model)?.installed === true ? "installed" : "missing";
}

/** Each model the config declares on the backend (`models`, from the stack) with its presence. */
export function declaredPresence(b: Backend): [string, "installed" | "missing" | "unknown"][] {
  return (b.config.models ?? []).map((m) => [m, presence(b, m)]);
}

/** The model's warmth on the backend; `unknown` for a backend not probed yet (or not in the table). */
export function warmth(b: Backend | undefined, model: string, config: RouterConfig): Warmth {
  const p = presence(b, model);
  if (p !== "installed") return p;
  return b !== undefined && isResident(b, model, config) ? "loaded" : "cold";
}
