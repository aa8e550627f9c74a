// Prometheus metrics, one registry per router instance (tests run several routers in one process).
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { BackendHealth } from "../engines/types.js";

const HEALTH_STATES: readonly BackendHealth[] = ["unknown", "up", "warming", "down", "misconfigured"];

export class RouterMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "router_requests_total",
    help: "Requests answered, by face, alias, backend that served (or none) and status.",
    labelNames: ["face", "alias", "backend", "status"] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: "router_request_duration_seconds",
    help: "Time from request accepted to response finished.",
    labelNames: ["alias", "backend"] as const,
    buckets: [0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });
  readonly ttfb = new Histogram({
    name: "router_time_to_first_byte_seconds",
    help: "Time from request accepted to the first response byte from the backend.",
    labelNames: ["alias", "backend"] as const,
    buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: "router_retries_total",
    help: "Attempts on another backend after a failure before the first byte.",
    labelNames: ["alias"] as const,
    registers: [this.registry],
  });
  readonly ejections = new Counter({
    name: "router_ejections_total",
    help: "Backends ejected by passive health checks.",
    labelNames: ["backend"] as const,
    registers: [this.registry],
  });
  readonly upstreamFailures = new Counter({
    name: "router_upstream_failures_total",
    help: "Failed attempts by backend and reason.",
    labelNames: ["backend", "reason"] as const,
    registers: [this.registry],
  });
  readonly backendState = new Gauge({
    name: "router_backend_state",
    help: "1 for the backend's current health state, 0 for the others.",
    labelNames: ["backend", "state"] as const,
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({
    name: "router_backend_in_flight",
    help: "Requests in flight per backend.",
    labelNames: ["backend"] as const,
    registers: [this.registry],
  });
  readonly reloads = new Counter({
    name: "router_config_reloads_total",
    help: "Config reloads by result.",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });

  setBackend(name: string, health: BackendHealth, inFlight: number): void {
    for (const s of HEALTH_STATES) this.backendState.set({ backend: name, state: s }, s === health ? 1 : 0);
    this.inFlight.set({ backend: name }, inFlight);
  }

  forgetBackend(name: string): void {
    for (const s of HEALTH_STATES) this.backendState.remove({ backend: name, state: s });
    this.inFlight.remove({ backend: name });
  }
}
