// Metrics per model: tokens, time to first token, time per output token, generation speed, model
// loads and the requests that waited for one, evictions, residency and queue depth. Every label value
// comes from the config (alias names, backend names, the models the table names on a backend), never
// from a client. docs/observability.md lists each with its meaning.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { Usage } from "./usage.js";

type Labels = "alias" | "backend" | "model";

/** One answer a backend gave, as the attempt saw it (proxy/attempt.ts). */
export interface Answered {
  alias: string;
  backend: string;
  model: string;
  usage: Usage;
  /** Whether the engine reported a token count. */
  known: boolean;
  /** The answer ended before it was complete (cut by the backend, the client or a deadline). */
  cut: boolean;
  /** Seconds from request accepted to the first token, when the backend streamed. */
  ttft?: number;
  /** Seconds between the first and the last chunk of a streamed answer. */
  streamSeconds?: number;
  /** The attempt was sent to a model that was not resident: it waited for a load. */
  coldLoad: boolean;
  /** Seconds from sending to the first byte (the load's length when the engine says nothing). */
  sentToFirstByte: number;
}

/** What one answer came to, for the five-minute figures on /status (telemetry/recent.ts). */
export interface AnswerFigures {
  ttft?: number;
  completion?: number;
  /** Seconds spent generating `completion`, when the speed is known. */
  generationSeconds?: number;
  load: boolean;
}

/** Token totals of one label set, kept as plain numbers on the request path and handed to the counter when it is scraped. */
interface Tokens {
  labels: { alias: string; backend: string; model: string };
  prompt: number | undefined;
  completion: number | undefined;
  cached: number | undefined;
}

interface Children {
  tokens: Tokens;
  unknownCut: Counter.Internal;
  unknownAbsent: Counter.Internal;
  loadWaits: Counter.Internal;
  ttft: Histogram.Internal<Labels>;
  tpot: Histogram.Internal<Labels>;
  speed: Histogram.Internal<Labels>;
}

export class ModelMetrics {
  private readonly tokens: Counter<Labels | "kind">;
  private readonly unknown: Counter<Labels | "reason">;
  private readonly ttft: Histogram<Labels>;
  private readonly tpot: Histogram<Labels>;
  private readonly speed: Histogram<Labels>;
  private readonly loadWaits: Counter<Labels>;
  private readonly loads: Counter<"backend" | "model">;
  private readonly loadSeconds: Histogram<"backend" | "model">;
  private readonly evictions: Counter<"backend" | "model">;
  private readonly resident: Gauge<"backend" | "model">;
  private readonly queue: Gauge<"backend">;
  private readonly children = new Map<string, Children>();
  /** Per backend, the models it has resident and eviction series for, to drop what a reload removed. */
  private readonly seen = new Map<string, Set<string>>();
  private readonly evicted = new Map<string, number>();

  constructor(registers: Registry[]) {
    const r = { registers };
    const labelNames = ["alias", "backend", "model"] as const;
    // Counted as plain numbers per request and set when scraped: a labelled inc hashes its labels every time.
    const totals = (): IterableIterator<Children> => this.children.values();
    this.tokens = new Counter({
      name: "router_tokens_total",
      help: "Tokens as the engine reported them, by kind: prompt, completion, cached_prompt (prompt tokens served from the engine's cache).",
      labelNames: [...labelNames, "kind"],
      ...r,
      collect() {
        this.reset();
        for (const { tokens: t } of totals()) {
          if (t.prompt !== undefined) this.inc({ ...t.labels, kind: "prompt" }, t.prompt);
          if (t.completion !== undefined) this.inc({ ...t.labels, kind: "completion" }, t.completion);
          if (t.cached !== undefined) this.inc({ ...t.labels, kind: "cached_prompt" }, t.cached);
        }
      },
    });
    this.unknown = new Counter({
      name: "router_usage_unknown_total",
      help: "Answers whose token counts never arrived: reason cut (ended before its usage) or absent (complete, without usage).",
      labelNames: [...labelNames, "reason"],
      ...r,
    });
    this.ttft = new Histogram({
      name: "router_time_to_first_token_seconds",
      help: "Time from request accepted to the first chunk of a streamed answer.",
      labelNames,
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300],
      ...r,
    });
    this.tpot = new Histogram({
      name: "router_time_per_output_token_seconds",
      help: "Mean time between output tokens of a streamed answer (first to last chunk over completion tokens - 1).",
      labelNames,
      buckets: [0.002, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.25, 0.5, 1],
      ...r,
    });
    this.speed = new Histogram({
      name: "router_generation_tokens_per_second",
      help: "Generation speed of an answer: the engine's own figure where it reports one, else measured over the stream.",
      labelNames,
      buckets: [1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 250, 500, 1000],
      ...r,
    });
    this.loadWaits = new Counter({
      name: "router_load_waits_total",
      help: "Requests sent to a model that was not resident: they waited for it to load.",
      labelNames,
      ...r,
    });
    this.loads = new Counter({
      name: "router_model_loads_total",
      help: "Model loads seen: a request to a model that was not resident was answered, or the engine warmed up (llama.cpp's 503 Loading model, then up).",
      labelNames: ["backend", "model"],
      ...r,
    });
    this.loadSeconds = new Histogram({
      name: "router_model_load_seconds",
      help: "Length of each load seen: Ollama's load_duration, else sending to first byte; for a warm-up, from the first probe that saw it warming to the first that saw it up.",
      labelNames: ["backend", "model"],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300],
      ...r,
    });
    this.evictions = new Counter({
      name: "router_model_evictions_total",
      help: "Models a probe's /api/ps showed loaded and the next one did not (evicted for another model, or unloaded at keep-alive end).",
      labelNames: ["backend", "model"],
      ...r,
    });
    this.resident = new Gauge({
      name: "router_model_resident",
      help: "1 when the backend holds the model in memory now (probes plus what was sent since), 0 when it must load it.",
      labelNames: ["backend", "model"],
      ...r,
    });
    this.queue = new Gauge({
      name: "router_backend_queue_depth",
      help: "Requests waiting for a slot of the backend (maxConcurrency).",
      labelNames: ["backend"],
      ...r,
    });
  }

  /** Records one answer; returns its figures for the five-minute window. */
  answer(a: Answered): AnswerFigures {
    const c = this.childrenFor(a.alias, a.backend, a.model);
    const u = a.usage;
    const t = c.tokens;
    if (u.prompt !== undefined) t.prompt = (t.prompt ?? 0) + u.prompt;
    if (u.completion !== undefined) t.completion = (t.completion ?? 0) + u.completion;
    if (u.cached !== undefined) t.cached = (t.cached ?? 0) + u.cached;
    if (!a.known) (a.cut ? c.unknownCut : c.unknownAbsent).inc();
    if (a.ttft !== undefined) c.ttft.observe(a.ttft);
    const n = u.completion;
    // Between the first and the last chunk the engine generated every token but the first.
    const measured = a.streamSeconds !== undefined && n !== undefined && n > 1 && a.streamSeconds > 0 ? a.streamSeconds / (n - 1) : undefined;
    if (measured !== undefined && !a.cut) c.tpot.observe(measured);
    const speed = u.tokensPerSecond ?? (measured !== undefined && !a.cut ? 1 / measured : undefined);
    if (speed !== undefined) c.speed.observe(speed);
    if (a.coldLoad) {
      c.loadWaits.inc();
      this.loads.inc({ backend: a.backend, model: a.model });
      this.loadSeconds.observe({ backend: a.backend, model: a.model }, u.loadSeconds ?? a.sentToFirstByte);
    }
    return {
      ...(a.ttft !== undefined ? { ttft: a.ttft } : {}),
      ...(n !== undefined ? { completion: n } : {}),
      ...(speed !== undefined && n !== undefined ? { generationSeconds: n / speed } : {}),
      load: a.coldLoad,
    };
  }

  /** A load the router saw without a request waiting for it (an engine that warmed up). */
  loaded(backend: string, model: string, seconds: number): void {
    this.loads.inc({ backend, model });
    this.loadSeconds.observe({ backend, model }, seconds);
  }

  /** A request that waited for a load and got no answer still waited. */
  waitedInVain(alias: string, backend: string, model: string): void {
    this.childrenFor(alias, backend, model).loadWaits.inc();
  }

  /** At scrape: which models the backend holds, its evictions so far (cumulative) and its queue. */
  setBackend(backend: string, resident: ReadonlyMap<string, boolean>, evictions: ReadonlyMap<string, number>, queued: number): void {
    const models = new Set([...resident.keys(), ...evictions.keys()]);
    for (const m of this.seen.get(backend) ?? []) if (!models.has(m)) this.dropModel(backend, m);
    for (const [m, v] of resident) this.resident.set({ backend, model: m }, v ? 1 : 0);
    for (const [m, total] of evictions) {
      const key = `${backend}\n${m}`;
      const before = this.evicted.get(key) ?? 0;
      if (total > before) this.evictions.inc({ backend, model: m }, total - before);
      this.evicted.set(key, total);
    }
    this.seen.set(backend, models);
    this.queue.set({ backend }, queued);
  }

  forgetBackend(backend: string): void {
    for (const m of this.seen.get(backend) ?? []) this.dropModel(backend, m);
    this.seen.delete(backend);
    this.queue.remove({ backend });
    // The per-answer children stay: they hold token totals that must not go back (as prom-client's own series stay).
  }

  private dropModel(backend: string, model: string): void {
    this.resident.remove({ backend, model });
    this.evicted.delete(`${backend}\n${model}`);
  }

  // Label children cached by a joined key, as RouterMetrics does: one lookup per answer.
  private childrenFor(alias: string, backend: string, model: string): Children {
    const key = `${alias}\n${backend}\n${model}`;
    let c = this.children.get(key);
    if (c === undefined) {
      c = {
        tokens: { labels: { alias, backend, model }, prompt: undefined, completion: undefined, cached: undefined },
        unknownCut: this.unknown.labels(alias, backend, model, "cut"),
        unknownAbsent: this.unknown.labels(alias, backend, model, "absent"),
        loadWaits: this.loadWaits.labels(alias, backend, model),
        ttft: this.ttft.labels(alias, backend, model),
        tpot: this.tpot.labels(alias, backend, model),
        speed: this.speed.labels(alias, backend, model),
      };
      this.children.set(key, c);
    }
    return c;
  }
}
