// Per-backend state the router and its faces read: health, models (installed/loaded/context), load
// (slots), residency, ejections; plus the keep-alive connection pool used to reach it. The registry
// survives reloads. Health is written only by the prober and the passive tracker (router/health/).
import { Pool } from "undici";
import type { BackendConfig, RouterConfig } from "../config/schema.js";
import { adapters } from "../engines/index.js";
import type { BackendHealth, EngineAdapter, ModelState } from "../engines/types.js";
import { Slots } from "./slots.js";
import { Residency } from "./residency.js";
import { freshPassive, type PassiveState } from "./admission.js";

export class Backend {
  readonly adapter: EngineAdapter;
  readonly pool: Pool;
  readonly slots: Slots;
  /** Which models it holds between probes (engines that load on demand). */
  readonly residency = new Residency();
  health: BackendHealth = "unknown";
  detail = "not probed yet";
  version: string | undefined;
  models: Map<string, ModelState> | undefined;
  lastProbeAt: number | undefined;
  lastProbeOk = false;
  /** Model names the alias table uses on this backend. */
  wanted: string[] = [];
  readonly passive: PassiveState = freshPassive();
  ejections = 0;
  /** Per model the table uses here: how often a model list showed it loaded and the next one did not. */
  readonly evictions = new Map<string, number>();
  /** Loads seen as the engine's own warming (llama.cpp's 503 "Loading model", then up), until /metrics takes them. */
  readonly warmLoads: { model: string; seconds: number }[] = [];
  private warmingSince: number | undefined;
  retired = false;

  constructor(
    readonly name: string,
    public config: BackendConfig,
    connectMs: number,
  ) {
    this.adapter = adapters[config.engine];
    this.pool = new Pool(config.url, {
      connect: { timeout: connectMs, noDelay: true, keepAlive: true },
      // Below the shortest idle timeout of the engines' servers (uvicorn: 5 s), so a reused connection is not one the server is closing.
      keepAliveTimeout: 4_000,
      // Timeouts are the router's own per request (first byte, idle); undici's defaults would cut cold loads.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    this.slots = new Slots(config.maxConcurrency, config.queue.maxLength, config.queue.maxWaitMs);
  }

  get inFlight(): number {
    return this.slots.inFlight;
  }

  /** A probe's model list replaces the last one; a model it no longer shows loaded was evicted (or unloaded). */
  setModels(next: Map<string, ModelState>): void {
    for (const m of this.wanted) {
      if (this.models?.get(m)?.loaded === true && next.get(m)?.loaded !== true) this.evictions.set(m, (this.evictions.get(m) ?? 0) + 1);
    }
    this.models = next;
  }

  /**
   * After each probe: a backend that was warming and is up now has loaded what it serves. The length
   * is from the first probe that saw it warming, so it is at most one probe interval short.
   */
  trackWarming(now: number): void {
    if (this.health === "warming") this.warmingSince ??= now;
    else if (this.health === "up" && this.warmingSince !== undefined) {
      for (const model of this.wanted) if (this.warmLoads.length < 64) this.warmLoads.push({ model, seconds: (now - this.warmingSince) / 1000 });
      this.warmingSince = undefined;
    } else this.warmingSince = undefined;
  }

  /** The model's state on this backend; `undefined` when not known (not probed, or no list). */
  model(name: string): ModelState | undefined {
    return this.models?.get(name);
  }

  /** Learned context, overridden by configuration where the engine reports none. */
  contextLength(model: string, targetOverride?: number): number | undefined {
    const m = this.model(model);
    return targetOverride ?? m?.contextLength ?? this.config.contextLength ?? m?.trainedContextLength;
  }

  /** Whether the same server (engine, url, key) is meant, so state can carry over a reload. */
  sameServer(c: BackendConfig): boolean {
    return c.engine === this.config.engine && c.url === this.config.url && c.apiKey === this.config.apiKey;
  }
}

export class BackendRegistry {
  private readonly byName = new Map<string, Backend>();

  get(name: string): Backend | undefined {
    return this.byName.get(name);
  }

  all(): Backend[] {
    return [...this.byName.values()];
  }

  /**
   * Applies a (re)loaded config; returns the backends no longer in use, to be closed once idle. The
   * new backends (and their pools) are built before anything changes, so a config a pool refuses
   * throws with the registry as it was.
   */
  apply(cfg: RouterConfig): { added: Backend[]; retired: Backend[] } {
    const fresh = Object.entries(cfg.backends)
      .filter(([name, bc]) => !this.byName.get(name)?.sameServer(bc))
      .map(([name, bc]) => new Backend(name, bc, cfg.timeouts.connectMs));
    const added: Backend[] = [];
    const retired: Backend[] = [];
    for (const [name, bc] of Object.entries(cfg.backends)) {
      const cur = this.byName.get(name);
      const b = fresh.find((f) => f.name === name);
      if (cur && !b) {
        cur.config = bc;
        cur.slots.resize(bc.maxConcurrency, bc.queue.maxLength, bc.queue.maxWaitMs);
        continue;
      }
      if (cur) retired.push(cur);
      if (!b) continue;
      this.byName.set(name, b);
      added.push(b);
    }
    for (const [name, b] of this.byName) {
      if (!Object.hasOwn(cfg.backends, name)) {
        retired.push(b);
        this.byName.delete(name);
      }
    }
    const wanted = new Map<string, Set<string>>();
    const want = (backend: string, model: string): void => {
      let set = wanted.get(backend);
      if (!set) wanted.set(backend, (set = new Set()));
      set.add(model);
    };
    for (const alias of Object.values(cfg.aliases)) for (const t of alias.targets) want(t.backend, t.model);
    // Declared models too, so the probe files each under the name the config gives it (Ollama's
    // `tiny` for `tiny:latest`) and presence() can say which one the engine does not have.
    for (const [name, bc] of Object.entries(cfg.backends)) for (const m of bc.models ?? []) want(name, m);
    for (const b of this.byName.values()) b.wanted = [...(wanted.get(b.name) ?? [])];
    for (const b of retired) b.retired = true;
    return { added, retired };
  }
}
