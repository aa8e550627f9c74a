// Prometheus metrics, one registry per router instance (tests run several routers in one process).
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { BackendHealth } from "../engines/types.js";
import { ModelMetrics, type Answered } from "./model-metrics.js";
import { RecentWindow } from "./recent.js";

const HEALTH_STATES: readonly BackendHealth[] = ["unknown", "up", "warming", "down", "misconfigured"];

export class RouterMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "router_requests_total",
    help: "Requests answered, by face, route (a path the router serves, or other), alias, backend that served (or none) and status.",
    labelNames: ["face", "path", "alias", "backend", "status"] as const,
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
  readonly affinity = new Counter({
    name: "router_affinity_total",
    help: "Requests of a conversation the router had seen, by what session affinity did: kept (holder first), kept-waiting (holder first though saturated while another target was free), already-best, released-health, released-warmth, released-busy, gone (holder no longer a target); placed (no holder: sent where it pushes out the least cache rather than to the ranking's first).",
    labelNames: ["alias", "choice"] as const,
    registers: [this.registry],
  });
  readonly reloads = new Counter({
    name: "router_config_reloads_total",
    help: "Config reloads by result.",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });

  readonly declaredMissing = new Gauge({
    name: "router_backend_declared_model_missing",
    help: "1 for a model the config declares on a backend that the engine does not have, 0 when it has it; absent before the backend's model list is known.",
    labelNames: ["backend", "model"] as const,
    registers: [this.registry],
  });
  /** Tokens, speed, loads and residency per model (model-metrics.ts). */
  readonly models = new ModelMetrics([this.registry]);
  /** The last five minutes per alias and backend, for /status (recent.ts). */
  readonly recent = new RecentWindow();

  /** The declared models each backend has series for, to remove the ones a reload dropped. */
  private readonly declared = new Map<string, Set<string>>();

  // Per-request recording goes through label children cached by a joined key: prom-client hashes a
  // label object (sorting its keys) on every call, which showed up in the router's profiles. The label
  // values are bounded (faces × routes × aliases × backends × statuses), as the series themselves are:
  // `path` is a route the router serves, never the client's path.
  private readonly requestChildren = new Map<string, { inc: () => void }>();
  private readonly durationChildren = new Map<string, { observe: (v: number) => void }>();
  private readonly ttfbChildren = new Map<string, { observe: (v: number) => void }>();

  /** `failed`: the router or a backend failed to serve it (not the client's mistake, not a client that left). */
  countRequest(face: string, path: string, alias: string, backend: string, status: number, failed = false): void {
    if (alias !== "none") this.recent.request(alias, failed);
    const key = `${face}\n${path}\n${alias}\n${backend}\n${status}`;
    let c = this.requestChildren.get(key);
    if (c === undefined) {
      c = this.requests.labels(face, path, alias, backend, String(status));
      this.requestChildren.set(key, c);
    }
    c.inc();
  }

  /** One answer a backend gave: its tokens, speed and load, in the metrics and the five-minute window. */
  answered(a: Answered): void {
    this.recent.answer(a.alias, a.backend, this.models.answer(a));
  }

  observeDuration(alias: string, backend: string, seconds: number): void {
    observeCached(this.durationChildren, this.duration, alias, backend, seconds);
  }

  observeTtfb(alias: string, backend: string, seconds: number): void {
    observeCached(this.ttfbChildren, this.ttfb, alias, backend, seconds);
  }

  setBackend(name: string, health: BackendHealth, inFlight: number): void {
    for (const s of HEALTH_STATES) this.backendState.set({ backend: name, state: s }, s === health ? 1 : 0);
    this.inFlight.set({ backend: name }, inFlight);
  }

  /** `missing` by declared model; a model left out (not declared, or its presence unknown) has no series. */
  setDeclared(name: string, missing: ReadonlyMap<string, boolean>): void {
    for (const m of this.declared.get(name) ?? []) if (!missing.has(m)) this.declaredMissing.remove({ backend: name, model: m });
    for (const [m, v] of missing) this.declaredMissing.set({ backend: name, model: m }, v ? 1 : 0);
    this.declared.set(name, new Set(missing.keys()));
  }

  forgetBackend(name: string): void {
    this.models.forgetBackend(name);
    this.recent.forgetBackend(name);
    this.setDeclared(name, new Map());
    this.declared.delete(name);
    // Children of a retired backend's series stay valid (the series are not removed); dropping the
    // cache entries only bounds the cache across many reloads.
    for (const cache of [this.requestChildren, this.durationChildren, this.ttfbChildren]) {
      for (const key of cache.keys()) if (key.split("\n").includes(name)) cache.delete(key);
    }
    for (const s of HEALTH_STATES) this.backendState.remove({ backend: name, state: s });
    this.inFlight.remove({ backend: name });
  }
}

function observeCached(
  cache: Map<string, { observe: (v: number) => void }>,
  h: Histogram<"alias" | "backend">,
  alias: string,
  backend: string,
  seconds: number,
): void {
  const key = `${alias}\n${backend}`;
  let c = cache.get(key);
  if (c === undefined) {
    c = h.labels(alias, backend);
    cache.set(key, c);
  }
  c.observe(seconds);
}
