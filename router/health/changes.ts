// One log line per change an operator must hear of: a backend going down or coming up, a model the
// alias table names missing on its backend, an alias left with no healthy target. Each is written
// when the change is first seen, never once per probe.
import type { RouterConfig } from "../config/schema.js";
import type { BackendHealth } from "../engines/types.js";
import type { Logger } from "../telemetry/log.js";
import { admission } from "../backends/admission.js";
import type { Backend, BackendRegistry } from "../backends/registry.js";
import { presence } from "../backends/warmth.js";
import { usableTarget } from "../aliases/usable.js";

type Level = "info" | "warn" | "error";

const HEALTH_LEVEL: Record<BackendHealth, Level> = { unknown: "info", up: "info", warming: "info", down: "warn", misconfigured: "error" };

/** Whether the model is missing on the backend; undefined while its model list is not known. */
function modelMissing(b: Backend, model: string): boolean | undefined {
  const p = presence(b, model);
  return p === "unknown" ? undefined : p === "missing";
}

export class StateChanges {
  private readonly health = new Map<string, BackendHealth>();
  /** `backend\nmodel` → missing. */
  private readonly missing = new Map<string, boolean>();
  /** alias → no healthy target. */
  private readonly stranded = new Map<string, boolean>();

  constructor(private readonly logger: Logger) {}

  /** Compares what the registry knows now with what was last seen, and logs each difference once. */
  observe(cfg: RouterConfig, registry: BackendRegistry, now: number): void {
    const backends = new Set<string>();
    const models = new Set<string>();
    for (const b of registry.all()) {
      backends.add(b.name);
      const was = this.health.get(b.name) ?? "unknown";
      if (b.health !== was) {
        this.health.set(b.name, b.health);
        // A backend replaced by a reload starts unknown again: its first probe is the news.
        if (b.health !== "unknown")
          this.logger.event(HEALTH_LEVEL[b.health], `backend ${b.health}`, { backend: b.name, engine: b.config.engine, was, detail: b.detail });
      }
      for (const model of b.wanted) {
        const key = `${b.name}\n${model}`;
        models.add(key);
        const missing = modelMissing(b, model);
        // Present is what a model is assumed to be: only a missing one, and its return, are news.
        if (missing === undefined || missing === (this.missing.get(key) ?? false)) continue;
        this.missing.set(key, missing);
        if (missing) this.logger.event("warn", "model missing on backend", { backend: b.name, model });
        else this.logger.event("info", "model available on backend again", { backend: b.name, model });
      }
    }
    forgetExcept(this.health, backends);
    forgetExcept(this.missing, models);

    const aliases = new Set<string>();
    for (const [alias, def] of Object.entries(cfg.aliases)) {
      aliases.add(alias);
      const targets = def.targets.map((t) => ({ t, b: registry.get(t.backend) }));
      // Until every target's backend was probed once, "no healthy target" would only mean "not yet known".
      if (targets.some(({ b }) => b === undefined || b.lastProbeAt === undefined)) continue;
      const usable = usableTarget(def, registry, now);
      const stranded = usable === undefined;
      if (stranded === (this.stranded.get(alias) ?? false)) continue;
      this.stranded.set(alias, stranded);
      if (usable) {
        this.logger.event("info", "alias has a healthy target again", { alias, backend: usable.backend, model: usable.model });
      } else {
        const why = targets.map(({ t, b }) => ({
          backend: t.backend,
          model: t.model,
          health: b?.health ?? "unknown",
          ...(b && admission(b.passive, now) === "ejected" ? { ejected: true } : {}),
          ...(b && modelMissing(b, t.model) ? { modelMissing: true } : {}),
        }));
        this.logger.event("error", "alias has no healthy target", { alias, targets: why });
      }
    }
    forgetExcept(this.stranded, aliases);
  }
}

function forgetExcept<V>(map: Map<string, V>, keep: ReadonlySet<string>): void {
  for (const k of map.keys()) if (!keep.has(k)) map.delete(k);
}
