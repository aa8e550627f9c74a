// Which conversations each backend's engine holds in its prompt cache, as the router can tell from
// where it sent their turns. Ollama and llama.cpp keep one cached prompt per parallel slot: a turn of a
// conversation the engine does not hold takes a slot that is not running and throws that slot's cache
// away. Which slot is the engine's rule:
// - llama.cpp's server takes the idle slot whose cache is most like the prompt, else the least recently
//   used idle slot, and a slot never used first (tools/server, get_available_slot);
// - Ollama's runner takes the idle slot sharing the longest prefix with the prompt, and every cached
//   prompt shares at least the chat template's first tokens with another, so it passes over an empty
//   slot for one holding another conversation (runner/llamarunner/cache.go, findLongestCacheSlot;
//   test/e2e/ollama-cache.test.ts).
// So the router keeps, per backend and model (each model an engine holds has slots of its own), at most `slots` conversations, least recently sent first; a turn of
// a conversation not held there pushes one out: the least recently sent that is not running. When only
// one could be the engine's choice, that conversation has no cache left the router can count on, and
// session affinity forgets where it was (affinity.ts): its next turn is placed like a new one instead
// of going back to push out its evictor in turn. When several could be, which one went is not known,
// and none is forgotten. vLLM and generic OpenAI servers share one prefix cache across requests (no
// slots) and are not modelled, nor is a backend without maxConcurrency. Memory: `slots` entries per
// backend and model, plus the turns running.
import type { Backend } from "../backends/registry.js";

/** A backend's cache as the router models it. */
export interface SlotCache {
  /** Cached prompts it keeps: one per slot (its maxConcurrency, which should equal the engine's parallel slots). */
  slots: number;
  /** Whether a new conversation takes an empty slot before evicting a cached one (llama.cpp yes, Ollama no). */
  emptyFirst: boolean;
}

/** The cache the router models for this backend, if any. */
export function slotCache(b: Backend | undefined): SlotCache | undefined {
  const slots = b?.slots.limit;
  if (b === undefined || slots === undefined) return undefined;
  const engine = b.config.engine;
  if (engine !== "ollama" && engine !== "llamacpp") return undefined;
  return { slots, emptyFirst: engine === "llamacpp" };
}

/** When a conversation's turn was last sent, per backend, least recent first (a Map keeps insertion order). */
type Held = Map<string, number>;

export class Residents {
  private readonly byBackend = new Map<string, Held>();
  /** Turns running now, per conversation and backend: their caches are in use and cannot be pushed out. */
  private readonly running = new Map<string, number>();

  /**
   * A turn of `key` goes out to `backend`. Returns the conversations this certainly pushes out of the
   * backend's cache (never one with a turn running there). No cache: the backend is not modelled.
   */
  sent(key: string, backend: string, cache: SlotCache | undefined, now: number): string[] {
    if (cache === undefined) {
      this.byBackend.delete(backend);
      return [];
    }
    const r = `${backend}\n${key}`;
    this.running.set(r, (this.running.get(r) ?? 0) + 1);
    let held = this.byBackend.get(backend);
    if (held === undefined) {
      // Backends are few (the table's), but a reload may rename them: keep the map as small.
      if (this.byBackend.size >= 1024) this.byBackend.clear();
      this.byBackend.set(backend, (held = new Map<string, number>()));
    }
    const hit = held.delete(key);
    held.set(key, now);
    if (hit) return [];
    const idle = this.idle(backend, held, key);
    // How many cached prompts this turn's slot costs: none while an empty slot is taken first.
    const excess = cache.emptyFirst ? held.size - cache.slots : Math.max(held.size - cache.slots, Math.min(1, idle.length));
    if (excess <= 0) return [];
    const out = idle.slice(0, excess);
    for (const k of out) held.delete(k);
    return out.length === idle.length ? out : [];
  }

  /** The turn sent by `sent` has ended (answered, failed or stopped); nothing was counted for a backend not modelled. */
  ended(key: string, backend: string): void {
    const r = `${backend}\n${key}`;
    const n = (this.running.get(r) ?? 1) - 1;
    if (n <= 0) this.running.delete(r);
    else this.running.set(r, n);
  }

  /**
   * Room for a conversation the backend does not hold: Infinity when it would take an empty slot, else
   * how long ago the least recently sent conversation not running there was last sent (the cache it
   * would push out; the longer unused, the less likely wanted), or -1 when every slot is running.
   * Undefined when the backend is not modelled.
   */
  room(backend: string, cache: SlotCache | undefined, now: number): number | undefined {
    if (cache === undefined) return undefined;
    const held = this.byBackend.get(backend);
    if (held === undefined) return Infinity;
    const lru = this.idle(backend, held, undefined)[0];
    if (held.size < cache.slots && (cache.emptyFirst || lru === undefined)) return Infinity;
    return lru === undefined ? -1 : now - (held.get(lru) as number);
  }

  /** The conversations held on `backend` with no turn running there, least recently sent first. */
  private idle(backend: string, held: Held, except: string | undefined): string[] {
    const out: string[] = [];
    for (const k of held.keys()) if (k !== except && !this.running.has(`${backend}\n${k}`)) out.push(k);
    return out;
  }
}
