// What /metrics reads from backend state as it is scraped (nothing on the request path keeps these):
// each backend's health, in-flight count, declared models missing, which of its models are resident,
// the evictions its probes saw, its queue, and the loads its probes saw it warm up for (also taken
// when /status is read).
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

/** Loads the probes saw an engine make by warming up, handed to the metrics and the five-minute window once. */
export function takeWarmLoads(metrics: RouterMetrics, registry: BackendRegistry): void {
  for (const b of registry.all()) {
    for (const l of b.warmLoads.splice(0)) {
      metrics.models.loaded(b.name, l.model, l.seconds);
      metrics.recent.load(b.name);
    }
  }
}

export function scrapeBackends(metrics: RouterMetrics, registry: BackendRegistry, config: RouterConfig): void {
  takeWarmLoads(metrics, registry);
  for (const b of registry.all()) {
    metrics.setBackend(b.name, b.health, b.inFlight);
    metrics.setDeclared(b.name, new Map(declaredPresence(b).flatMap(([m, p]) => (p === "unknown" ? [] : [[m, p === "missing"]]))));
    metrics.models.setBackend(b.name, residency(b, config), b.evictions, b.slots.queued);
  }
}
