// What /metrics reads from backend state as it is scraped (nothing on the request path keeps these):
// each backend's health, in-flight count, declared models missing, which of its models are resident,
// the evictions its probes saw, and its queue.
import type { RouterConfig } from "../config/schema.js";
import type { Backend, BackendRegistry } from "../backends/registry.js";
import { declaredPresence, warmth } from "../backends/warmth.js";
import type { RouterMetrics } from "../telemetry/metrics.js";

/** Resident (true) or must load (false), for each model the table uses on the backend and it has. */
function residency(b: Backend, config: RouterConfig): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const m of b.wanted) {
    const w = warmth(b, m, config);
    if (w === "loaded" || w === "cold") out.set(m, w === "loaded");
  }
  return out;
}

export function scrapeBackends(metrics: RouterMetrics, registry: BackendRegistry, config: RouterConfig): void {
  for (const b of registry.all()) {
    metrics.setBackend(b.name, b.health, b.inFlight);
    metrics.setDeclared(b.name, new Map(declaredPresence(b).flatMap(([m, p]) => (p === "unknown" ? [] : [[m, p === "missing"]]))));
    metrics.models.setBackend(b.name, residency(b, config), b.evictions, b.slots.queued);
  }
}
