// Ollama's model scheduler, reduced to what a router can observe (server/sched.go; docs.ollama.com
// FAQ on concurrency and keep_alive): a model is cold until a request needs it, then loads under
// that request (requests for it wait; the loader leaving aborts the load); OLLAMA_NUM_PARALLEL
// requests run per model and the rest wait inside, without response headers; with
// OLLAMA_MAX_LOADED_MODELS reached, another model evicts the least recently used one, idle first,
// else after its requests drain, while the scheduler serves nobody else and at most OLLAMA_MAX_QUEUE
// requests wait (then 503); an idle model unloads after its keep-alive (0 = at once, < 0 = never).

import type { Release } from "./dialect.js";
import { pause } from "./http.js";
import type { FakeStats } from "./types.js";

export interface SchedulerOptions {
  loaded: string[];
  /** Cold-load time of a model. */
  loadDelayMs: (model: string) => number;
  numParallel: number;
  maxQueue: number;
  maxLoadedModels: number;
  keepAliveMs: number;
  abortLoadOnDisconnect: boolean;
  /** Told about every request that must wait for its model to load (cold, loading, or being evicted). */
  onColdRequest?: (model: string) => void;
}

interface Runner {
  model: string;
  state: "loading" | "loaded";
  active: number;
  keepAliveMs: number;
  lastUsed: number;
  /** Epoch ms at which an idle runner unloads; Infinity while busy or kept forever. */
  expiresAt: number;
  timer?: NodeJS.Timeout;
  loaded?: Promise<void>;
  /** Chosen to make room for another model: unloads as soon as it is idle. */
  evicted?: boolean;
}

export type Admission = { kind: "ok"; release: Release } | { kind: "busy" } | { kind: "aborted" };

export class OllamaScheduler {
  private readonly runners = new Map<string, Runner>();
  private waiters: (() => void)[] = [];
  private queued = 0;
  /** The request (by its signal) the scheduler is blocked on while a busy model drains for eviction. */
  private evicting: AbortSignal | undefined;

  constructor(
    private readonly options: SchedulerOptions,
    private readonly stats: FakeStats,
  ) {
    for (const model of options.loaded) this.runners.set(model, this.idleRunner(model, options.keepAliveMs));
    for (const runner of this.runners.values()) this.armExpiry(runner);
  }

  /** Resident runners (loaded or still loading), most recently used first, with their expiry. */
  resident(): { model: string; loading: boolean; expiresAt: number; keepAliveMs: number }[] {
    return [...this.runners.values()]
      .sort((a, b) => b.lastUsed - a.lastUsed)
      .map((r) => ({ model: r.model, loading: r.state === "loading", expiresAt: r.expiresAt, keepAliveMs: r.keepAliveMs }));
  }

  /** Drops every runner (server stopped): the next start is cold unless told otherwise. */
  reset(loaded: string[]): void {
    for (const r of this.runners.values()) clearTimeout(r.timer);
    this.runners.clear();
    for (const model of loaded) {
      const runner = this.idleRunner(model, this.options.keepAliveMs);
      this.runners.set(model, runner);
      this.armExpiry(runner);
    }
    this.notify();
  }

  /**
   * Whether a request for the model would start at once: loaded, not chosen for eviction, a parallel
   * slot free, and the scheduler not blocked on an eviction or holding queued requests.
   */
  readyFor(model: string): boolean {
    const r = this.runners.get(model);
    return r !== undefined && r.state === "loaded" && !r.evicted && r.active < this.options.numParallel && this.queued === 0 && this.evicting === undefined;
  }

  /** Unloads a model now if idle (keep_alive: 0 with no prompt). */
  unload(model: string): void {
    const r = this.runners.get(model);
    if (r && r.state === "loaded" && r.active === 0) this.drop(r);
  }

  async admit(model: string, keepAliveMs: number | undefined, signal: AbortSignal): Promise<Admission> {
    // Stage 1, the scheduler: requests wait in a bounded queue (OLLAMA_MAX_QUEUE, else 503
    // "server busy") only while the scheduler is blocked waiting for an eviction; once a request
    // has a runner (even a loading one) it has left the queue (server/sched.go, GetRunner and
    // processPending).
    if (this.queued >= this.options.maxQueue) return { kind: "busy" };
    const resident = this.runners.get(model);
    if (resident === undefined || resident.state === "loading" || resident.evicted === true) this.options.onColdRequest?.(model);
    this.queued += 1;
    let inQueue = true;
    const leaveQueue = (): void => {
      if (inQueue) this.queued -= 1;
      inQueue = false;
    };
    try {
      for (;;) {
        const got = await this.runnerFor(model, keepAliveMs, signal, leaveQueue);
        leaveQueue();
        if (!got) return { kind: "aborted" };
        const { runner } = got;
        if (got.loading) {
          // The request that starts a load holds a reference from the start, so the fresh runner
          // cannot be evicted before it is used (runnerRef.refCount = 1 in sched.go load()).
          await runner.loaded;
          if (this.runners.get(model) !== runner) continue;
          const release = this.releaser(runner);
          if (signal.aborted) {
            release();
            return { kind: "aborted" };
          }
          if (keepAliveMs !== undefined) runner.keepAliveMs = keepAliveMs;
          return { kind: "ok", release };
        }
        // Stage 2, the runner: wait for the load, then for one of NUM_PARALLEL slots (unbounded).
        while (this.runners.get(model) === runner) {
          if (signal.aborted) return { kind: "aborted" };
          if (runner.state === "loaded" && runner.active < this.options.numParallel) {
            runner.active += 1;
            if (keepAliveMs !== undefined) runner.keepAliveMs = keepAliveMs;
            clearTimeout(runner.timer);
            runner.expiresAt = Infinity;
            return { kind: "ok", release: this.releaser(runner) };
          }
          await this.changed(signal);
        }
        // The load this request waited for was abandoned: schedule again.
      }
    } finally {
      leaveQueue();
    }
  }

  /** The runner (loaded or loading) for a model, evicting another first when at the limit. */
  private async runnerFor(
    model: string,
    keepAliveMs: number | undefined,
    signal: AbortSignal,
    leaveQueue: () => void,
  ): Promise<{ runner: Runner; loading: boolean } | undefined> {
    for (;;) {
      if (signal.aborted) return undefined;
      // While one request waits for an eviction the scheduler serves nobody else.
      if (this.evicting && this.evicting !== signal) {
        await this.changed(signal);
        continue;
      }
      const existing = this.runners.get(model);
      if (existing) {
        if (this.evicting === signal) this.evicting = undefined;
        return { runner: existing, loading: false };
      }
      if (this.runners.size >= this.options.maxLoadedModels) {
        const victim = this.victim();
        if (!victim) {
          await this.changed(signal);
          continue;
        }
        victim.evicted = true;
        if (victim.active > 0) {
          // Wait for the victim's requests to finish; the model unloads as soon as it is idle.
          this.evicting = signal;
          victim.keepAliveMs = 0;
          leaveQueue();
          const stop = (): void => {
            if (this.evicting === signal) this.evicting = undefined;
            this.notify();
          };
          signal.addEventListener("abort", stop, { once: true });
          await this.changed(signal);
          signal.removeEventListener("abort", stop);
          continue;
        }
        this.drop(victim);
        if (this.evicting === signal) this.evicting = undefined;
        continue;
      }
      if (this.evicting === signal) this.evicting = undefined;
      return { runner: this.startLoad(model, keepAliveMs ?? this.options.keepAliveMs, signal), loading: true };
    }
  }

  private idleRunner(model: string, keepAliveMs: number): Runner {
    return { model, state: "loaded", active: 0, keepAliveMs, lastUsed: Date.now(), expiresAt: Infinity };
  }

  /** The runner to unload: an idle one first (least recently used), else the least recently used. */
  private victim(): Runner | undefined {
    const loaded = [...this.runners.values()].filter((r) => r.state === "loaded").sort((a, b) => a.lastUsed - b.lastUsed);
    return loaded.find((r) => r.active === 0) ?? loaded[0];
  }

  private startLoad(model: string, keepAliveMs: number, signal: AbortSignal): Runner {
    const runner: Runner = { model, state: "loading", active: 1, keepAliveMs, lastUsed: Date.now(), expiresAt: Infinity };
    this.runners.set(model, runner);
    this.stats.loadsStarted += 1;
    // The load runs under the request that started it: if that client disconnects, Ollama drops
    // the half-loaded runner and the next request starts over. The router holds such a request open
    // (test/router/reliability/faults.test.ts, "an Ollama cold load while more requests queue").
    const tied = this.options.abortLoadOnDisconnect ? signal : undefined;
    runner.loaded = pause(this.options.loadDelayMs(model), tied).then(() => {
      if (this.runners.get(model) !== runner) return;
      if (tied?.aborted) {
        this.stats.loadsAborted += 1;
        this.runners.delete(model);
      } else {
        this.stats.loadsCompleted += 1;
        runner.state = "loaded";
        runner.lastUsed = Date.now();
      }
      this.notify();
    });
    return runner;
  }

  private releaser(runner: Runner): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      runner.active -= 1;
      runner.lastUsed = Date.now();
      if (runner.active === 0) this.armExpiry(runner);
      this.notify();
    };
  }

  private armExpiry(runner: Runner): void {
    clearTimeout(runner.timer);
    if (runner.keepAliveMs < 0) {
      runner.expiresAt = Infinity;
      return;
    }
    if (runner.keepAliveMs === 0) {
      this.drop(runner);
      return;
    }
    runner.expiresAt = Date.now() + runner.keepAliveMs;
    runner.timer = setTimeout(() => {
      if (this.runners.get(runner.model) === runner && runner.active === 0) this.drop(runner);
    }, runner.keepAliveMs);
    runner.timer.unref();
  }

  private drop(runner: Runner): void {
    clearTimeout(runner.timer);
    if (this.runners.get(runner.model) !== runner) return;
    this.runners.delete(runner.model);
    if (runner.evicted) this.stats.evictions += 1;
    this.notify();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves at the next state change, or when the signal aborts. */
  private changed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = (): void => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.waiters.push(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }
}
