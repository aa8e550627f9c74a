// Which conversations each backend's engine holds in its prompt cache, as the router can tell from
// where it sent their turns. An engine with N parallel slots keeps one cached prefix per slot: a turn
// of a conversation it does not hold takes a slot that is not running and throws that slot's cache
// away (Ollama's runner, runner/llamarunner/cache.go; llama.cpp's server with its slots' LRU). So the
// router keeps, per backend, at most `slots` conversations, least recently sent first; a turn sent to
// a backend already holding `slots` others pushes out the least recently sent one that is not running.
// That conversation has no cache the router can count on any more: session affinity forgets where it
// was (affinity.ts), so its next turn is placed like a new one instead of evicting its evictor in turn.
// Backends without a slot count (no maxConcurrency) are not modelled. Memory: `slots` entries per
// backend, plus the turns running.

/** When a conversation's turn was last sent, per backend, least recent first (a Map keeps insertion order). */
type Held = Map<string, number>;

export class Residents {
  private readonly byBackend = new Map<string, Held>();
  /** Turns running now, per conversation and backend: their caches are in use and cannot be pushed out. */
  private readonly running = new Map<string, number>();

  /**
   * A turn of `key` goes out to `backend`. Returns the conversations this pushes out of the backend's
   * cache (never one with a turn running there). `slots` undefined: the backend is not modelled.
   */
  sent(key: string, backend: string, slots: number | undefined, now: number): string[] {
    const r = `${backend}\n${key}`;
    this.running.set(r, (this.running.get(r) ?? 0) + 1);
    if (slots === undefined) {
      this.byBackend.delete(backend);
      return [];
    }
    let held = this.byBackend.get(backend);
    if (held === undefined) {
      // Backends are few (the table's), but a reload may rename them: keep the map as small.
      if (this.byBackend.size >= 1024) this.byBackend.clear();
      this.byBackend.set(backend, (held = new Map<string, number>()));
    }
    held.delete(key);
    held.set(key, now);
    const out: string[] = [];
    for (const k of held.keys()) {
      if (held.size <= slots) break;
      if (this.running.has(`${backend}\n${k}`)) continue;
      held.delete(k);
      out.push(k);
    }
    return out;
  }

  /** The turn sent by `sent` has ended (answered, failed or stopped). */
  ended(key: string, backend: string): void {
    const r = `${backend}\n${key}`;
    const n = (this.running.get(r) ?? 1) - 1;
    if (n <= 0) this.running.delete(r);
    else this.running.set(r, n);
  }

  /**
   * Room for a conversation the backend does not hold: Infinity when one of its `slots` holds nothing
   * the router sent, else how long ago the least recently sent conversation not running there was last
   * sent (the cache a new one would push out; the longer unused, the less likely wanted), or -1 when
   * every slot is running. Undefined when the backend is not modelled.
   */
  room(backend: string, slots: number | undefined, now: number): number | undefined {
    if (slots === undefined) return undefined;
    const held = this.byBackend.get(backend);
    if (held === undefined || held.size < slots) return Infinity;
    for (const [k, at] of held) if (!this.running.has(`${backend}\n${k}`)) return now - at;
    return -1;
  }
}
