// The last five minutes per alias and per backend, for /status: requests, errors, p95 time to first
// token, generation speed, tokens and loads. A ring of per-minute buckets; times to first token are
// counted in fixed buckets, so memory is bounded by the config (aliases + backends) × 6 minutes.
import type { AnswerFigures } from "./model-metrics.js";

const MINUTE_MS = 60_000;
/** The minute in progress plus the five before it; a snapshot reads the last five minutes' worth. */
const SLOTS = 6;
/** Upper bounds (seconds) of the time-to-first-token buckets; the last is open. */
const TTFT_BOUNDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 15, 20, 30, 60, 120, 300, Infinity];

interface Stats {
  requests: number;
  errors: number;
  ttft: number[];
  completion: number;
  /** Completion tokens whose generation time is known, and that time. */
  timedTokens: number;
  generationSeconds: number;
  loads: number;
}

/** The five-minute figures of one alias or backend. */
export interface RecentFigures {
  requests: number;
  errors: number;
  /** Seconds; null when no streamed answer was timed. */
  p95_ttft_s: number | null;
  /** Completion tokens per second of generation, over the answers whose speed is known. */
  tokens_per_s: number | null;
  completion_tokens: number;
  loads: number;
}

function fresh(): Stats {
  return { requests: 0, errors: 0, ttft: new Array<number>(TTFT_BOUNDS.length).fill(0), completion: 0, timedTokens: 0, generationSeconds: 0, loads: 0 };
}

class Bucket {
  readonly aliases = new Map<string, Stats>();
  readonly backends = new Map<string, Stats>();
  constructor(readonly minute: number) {}
}

function statsOf(map: Map<string, Stats>, name: string): Stats {
  let s = map.get(name);
  if (s === undefined) map.set(name, (s = fresh()));
  return s;
}

export class RecentWindow {
  private readonly ring: (Bucket | undefined)[] = new Array<Bucket | undefined>(SLOTS);

  constructor(private readonly now: () => number = Date.now) {}

  /** A client request to an alias, answered; `failed` when the router or a backend failed to serve it. */
  request(alias: string, failed: boolean): void {
    count(statsOf(this.current().aliases, alias), failed);
  }

  /** An attempt at a backend that got an answer or a failure; `failed` when the backend failed it (not the client's mistake). */
  attempt(backend: string, failed: boolean): void {
    count(statsOf(this.current().backends, backend), failed);
  }

  answer(alias: string, backend: string, f: AnswerFigures): void {
    const b = this.current();
    for (const s of this.both(b, alias, backend)) {
      if (f.ttft !== undefined) {
        const i = TTFT_BOUNDS.findIndex((x) => f.ttft! <= x);
        (s.ttft[i] as number)++;
      }
      if (f.completion !== undefined) s.completion += f.completion;
      if (f.generationSeconds !== undefined && f.completion !== undefined) {
        s.timedTokens += f.completion;
        s.generationSeconds += f.generationSeconds;
      }
      // A load belongs to the backend; the alias that waited for it sees it too.
      if (f.load) s.loads++;
    }
  }

  /** A load of the backend that no request waited for (an engine that warmed up). */
  load(backend: string): void {
    statsOf(this.current().backends, backend).loads++;
  }

  /** The last five minutes (the minute in progress and the four before it, in whole minutes). */
  snapshot(): { aliases: Map<string, RecentFigures>; backends: Map<string, RecentFigures> } {
    const minute = Math.floor(this.now() / MINUTE_MS);
    const aliases = new Map<string, Stats>();
    const backends = new Map<string, Stats>();
    for (const b of this.ring) {
      if (b === undefined || b.minute <= minute - 5) continue;
      merge(aliases, b.aliases);
      merge(backends, b.backends);
    }
    return { aliases: figures(aliases), backends: figures(backends) };
  }

  /** Drops a backend (a reload removed it) from every bucket. */
  forgetBackend(name: string): void {
    for (const b of this.ring) b?.backends.delete(name);
  }

  private both(b: Bucket, alias: string, backend: string): Stats[] {
    return [statsOf(b.aliases, alias), statsOf(b.backends, backend)];
  }

  private current(): Bucket {
    const minute = Math.floor(this.now() / MINUTE_MS);
    const slot = minute % SLOTS;
    let b = this.ring[slot];
    if (b === undefined || b.minute !== minute) this.ring[slot] = b = new Bucket(minute);
    return b;
  }
}

function count(s: Stats, failed: boolean): void {
  s.requests++;
  if (failed) s.errors++;
}

function merge(into: Map<string, Stats>, from: Map<string, Stats>): void {
  for (const [name, s] of from) {
    const t = statsOf(into, name);
    t.requests += s.requests;
    t.errors += s.errors;
    s.ttft.forEach((n, i) => ((t.ttft[i] as number) += n));
    t.completion += s.completion;
    t.timedTokens += s.timedTokens;
    t.generationSeconds += s.generationSeconds;
    t.loads += s.loads;
  }
}

function figures(m: Map<string, Stats>): Map<string, RecentFigures> {
  const out = new Map<string, RecentFigures>();
  for (const [name, s] of m) {
    out.set(name, {
      requests: s.requests,
      errors: s.errors,
      p95_ttft_s: quantile(s.ttft, 0.95),
      tokens_per_s: s.generationSeconds > 0 ? Math.round((s.timedTokens / s.generationSeconds) * 10) / 10 : null,
      completion_tokens: s.completion,
      loads: s.loads,
    });
  }
  return out;
}

/** The q-quantile of bucketed counts, interpolated within its bucket as Prometheus's histogram_quantile does. */
function quantile(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i] as number;
    if (seen + n >= rank && n > 0) {
      const lower = i === 0 ? 0 : (TTFT_BOUNDS[i - 1] as number);
      const upper = TTFT_BOUNDS[i] as number;
      // The open bucket has no upper bound: its lower bound is the honest answer.
      if (upper === Infinity) return lower;
      return Math.round((lower + ((upper - lower) * (rank - seen)) / n) * 1000) / 1000;
    }
    seen += n;
  }
  return null;
}
