// Session affinity: a conversation's next turn prefers the target that served its previous turn, whose
// engine still holds the conversation's prefix in its KV cache and evaluates only the new tokens. It
// yields to everything the ranking knows (pick.ts): never onto a backend in a worse health tier or a
// model colder than the best target's, and not onto a saturated backend when the wait there would
// cost more than re-reading the prompt elsewhere. The wait is estimated from how long the backend's
// requests hold a slot; the re-read from the prefill speed its engine reports (telemetry/usage.ts).
// A conversation no target holds (a new one, or one whose cache another pushed out: residents.ts) goes
// where it pushes out the least: among the targets the ranking finds equally good, the one with a free
// cache slot or else the longest-unused one. Memory is bounded: at most `maxEntries` conversations,
// least recently used forgotten first, and each forgotten after `ttlMs` unseen.
import type { RouterConfig } from "../config/schema.js";
import type { BackendRegistry } from "../backends/registry.js";
import { tiers, type CandidateView } from "./pick.js";
import type { Usage } from "../telemetry/usage.js";
import { Residents, slotCache, type SlotCache } from "./residents.js";

interface Held {
  backend: string;
  model: string;
  /** Last served, ms since the epoch. */
  at: number;
}

/** What the router learned about one backend from its answers. */
interface Learned {
  /** Prompt tokens per second evaluated, from the engine's own timings; the slowest of recent answers. */
  prefillTps: number[];
  /** Request bytes per prompt token, a moving average (the prompt's size in tokens is never sent). */
  bytesPerToken: number | undefined;
  /** How long an answer holds a slot, a moving average. */
  holdMs: number | undefined;
}

/** Recent prefill samples kept per backend. */
const PREFILL_WINDOW = 16;
/** Answers with fewer evaluated tokens than this say little about prefill speed. */
const MIN_PREFILL_TOKENS = 32;
/** Assumed until an engine reports a prompt's size in tokens (BPE vocabularies average ~4 bytes). */
const DEFAULT_BYTES_PER_TOKEN = 4;
const EWMA = 0.2;

/**
 * Why a request went where it went, for tests and the bench: held (kept), released (and why), placed
 * (no holder, sent where its cache pushes out the least rather than the ranking's first), or none.
 */
export type AffinityChoice = "none" | "placed" | "kept" | "kept-waiting" | "already-best" | "released-health" | "released-warmth" | "released-busy" | "gone";

export class Affinity {
  private readonly table = new Map<string, Held>();
  private readonly learned = new Map<string, Learned>();
  private readonly residents = new Residents();

  get size(): number {
    return this.table.size;
  }

  /** The target that served this conversation last, if remembered and not expired. */
  holder(key: string, now: number, ttlMs: number): Held | undefined {
    const h = this.table.get(key);
    if (h === undefined) return undefined;
    if (now - h.at > ttlMs) {
      this.table.delete(key);
      return undefined;
    }
    return h;
  }

  /**
   * A turn of this conversation goes out to `backend` (whose cache is modelled as `cache`, if at all): it is held
   * there from now on, and the conversations it pushes out of that backend's cache are held nowhere.
   * Returns what to call when the turn ends: a turn the backend did not serve leaves it holding nothing
   * the next turn could count on.
   */
  sent(key: string, backend: string, model: string, now: number, maxEntries: number, cache: SlotCache | undefined): (served: boolean) => void {
    this.record(key, backend, model, now, maxEntries);
    // Each model an engine holds has slots of its own (an Ollama runner per loaded model).
    const id = cacheOf(backend, model);
    for (const k of this.residents.sent(key, id, cache, now)) this.forget(k, backend, model);
    return (served) => {
      this.residents.ended(key, id);
      if (!served) this.forget(key, backend, model);
    };
  }

  private forget(key: string, backend: string, model: string): void {
    const h = this.table.get(key);
    if (h?.backend === backend && h.model === model) this.table.delete(key);
  }

  /** Records that this conversation's turn was served here (the most recent use moves to the end). */
  private record(key: string, backend: string, model: string, now: number, maxEntries: number): void {
    this.table.delete(key);
    this.table.set(key, { backend, model, at: now });
    // A Map iterates in insertion order: the first key is the least recently used.
    while (this.table.size > maxEntries) {
      const oldest = this.table.keys().next().value as string;
      this.table.delete(oldest);
    }
  }

  /** What an answer said about its backend (its engine's usage report): prefill speed and prompt size, and how long it held a slot. */
  learn(backend: string, usage: Usage, requestBytes: number, holdMs: number): void {
    let l = this.learned.get(backend);
    if (l === undefined) {
      // Backends are few (the table's), but a reload may rename them: keep the map as small.
      if (this.learned.size >= 1024) this.learned.clear();
      this.learned.set(backend, (l = { prefillTps: [], bytesPerToken: undefined, holdMs: undefined }));
    }
    l.holdMs = l.holdMs === undefined ? holdMs : l.holdMs + EWMA * (holdMs - l.holdMs);
    if (usage.prompt !== undefined && usage.prompt > 0 && requestBytes > 0) {
      const bpt = requestBytes / usage.prompt;
      l.bytesPerToken = l.bytesPerToken === undefined ? bpt : l.bytesPerToken + EWMA * (bpt - l.bytesPerToken);
    }
    const p = usage.prefill;
    if (p !== undefined && p.tokens >= MIN_PREFILL_TOKENS && p.seconds > 0) {
      l.prefillTps.push(p.tokens / p.seconds);
      if (l.prefillTps.length > PREFILL_WINDOW) l.prefillTps.shift();
    }
  }

  /**
   * Prompt tokens per second the backend evaluates: the slowest of its recent answers. Ollama counts
   * the whole prompt in prompt_eval_count but times only what it evaluated (a cache hit looks fast),
   * so the slowest sample is the one closest to a full read.
   */
  prefillTps(backend: string): number | undefined {
    const s = this.learned.get(backend)?.prefillTps;
    return s === undefined || s.length === 0 ? undefined : Math.min(...s);
  }

  /** Mean time an answer holds a slot on this backend. */
  holdMs(backend: string): number | undefined {
    return this.learned.get(backend)?.holdMs;
  }

  /** The prompt's size in tokens, from the request's size and what the backend's engine reported. */
  promptTokens(backend: string, requestBytes: number): number {
    return requestBytes / (this.learned.get(backend)?.bytesPerToken ?? DEFAULT_BYTES_PER_TOKEN);
  }

  /**
   * The order with this conversation's holder first, when it is not worse off than the best target:
   * same health and warmth tiers or better, and, if its slots are all taken while the best's are not,
   * an estimated wait below the time the best target would take to re-read the prompt.
   */
  prefer(order: CandidateView[], held: Held, registry: BackendRegistry, requestBytes: () => number): { order: CandidateView[]; choice: AffinityChoice } {
    const i = order.findIndex((c) => c.backend === held.backend && c.model === held.model);
    if (i < 0) return { order, choice: "gone" };
    if (i === 0) return { order, choice: "already-best" };
    const best = order[0] as CandidateView;
    const h = order[i] as CandidateView;
    const [hHealth, hWarmth] = tiers(h);
    const [bHealth, bWarmth] = tiers(best);
    if (hHealth > bHealth) return { order, choice: "released-health" };
    if (hWarmth > bWarmth) return { order, choice: "released-warmth" };
    const waits = h.saturated && !best.saturated;
    if (waits && !this.worthWaiting(h.backend, best.backend, registry, requestBytes)) return { order, choice: "released-busy" };
    return { order: [h, ...order.slice(0, i), ...order.slice(i + 1)], choice: waits ? "kept-waiting" : "kept" };
  }

  /**
   * The order for a conversation no target holds: the ranking's, except that among the targets it finds
   * as good as its first (same health and warmth tiers, free capacity alike, no more requests in flight)
   * the one with the most room in its cache goes first (residents.ts). Unchanged when a target's cache is not modelled.
   */
  place(order: CandidateView[], registry: BackendRegistry, now: number): { order: CandidateView[]; choice: AffinityChoice } {
    const best = order[0] as CandidateView;
    const [bHealth, bWarmth] = tiers(best);
    let pick = 0;
    let most = this.residents.room(cacheOf(best.backend, best.model), slotCache(registry.get(best.backend)), now);
    if (most === undefined) return { order, choice: "none" };
    for (let i = 1; i < order.length; i++) {
      const c = order[i] as CandidateView;
      const [health, warmth] = tiers(c);
      // Not onto a busier target: a new conversation has no cache to wait for, and its first turn
      // would share the engine with the turns running there.
      if (health !== bHealth || warmth !== bWarmth || c.saturated !== best.saturated || c.inFlight > best.inFlight) continue;
      const room = this.residents.room(cacheOf(c.backend, c.model), slotCache(registry.get(c.backend)), now);
      if (room === undefined) return { order, choice: "none" };
      if (room > most) [pick, most] = [i, room];
    }
    if (pick === 0) return { order, choice: "none" };
    return { order: [order[pick] as CandidateView, ...order.slice(0, pick), ...order.slice(pick + 1)], choice: "placed" };
  }

  /**
   * Whether waiting for the holder's next free slot costs less than re-reading the prompt on `other`:
   * the wait is the requests ahead (those queued, and this one) times the holder's mean slot hold over
   * its slot count; the re-read is the prompt's tokens over `other`'s prefill speed. Until both are
   * learned, no waiting: a free target is not passed over on a guess.
   */
  worthWaiting(holder: string, other: string, registry: BackendRegistry, requestBytes: () => number): boolean {
    const b = registry.get(holder);
    const hold = this.holdMs(holder);
    const tps = this.prefillTps(other) ?? this.prefillTps(holder);
    if (b === undefined || hold === undefined || tps === undefined) return false;
    const slots = b.slots.limit ?? 1;
    const waitMs = ((b.slots.queued + 1) * hold) / slots;
    const rereadMs = (this.promptTokens(other, requestBytes()) / tps) * 1000;
    return waitMs < rereadMs;
  }
}

/** A model's cache on a backend, as residents.ts keys it. */
const cacheOf = (backend: string, model: string): string => `${backend}\n${model}`;

/** Whether affinity can choose anything: on, ranked, and more than one backend to choose from. */
export function affinityApplies(config: RouterConfig, backends: number): boolean {
  return config.routing.affinity.enabled && config.routing.policy === "ranked" && backends >= 2;
}

/** The order for a request of a conversation, and whether affinity changed it. */
export function withAffinity(
  order: CandidateView[],
  affinity: Affinity,
  key: string | undefined,
  config: RouterConfig,
  registry: BackendRegistry,
  now: number,
  /** The request's size in bytes, asked only when a wait must be weighed. */
  requestBytes: () => number,
): { order: CandidateView[]; choice: AffinityChoice } {
  if (key === undefined || !affinityApplies(config, order.length)) return { order, choice: "none" };
  const held = affinity.holder(key, now, config.routing.affinity.ttlMs);
  const kept = held === undefined ? undefined : affinity.prefer(order, held, registry, requestBytes);
  if (kept !== undefined && kept.choice !== "gone") return kept;
  const placed = affinity.place(order, registry, now);
  return placed.choice === "none" && kept !== undefined ? kept : placed;
}
