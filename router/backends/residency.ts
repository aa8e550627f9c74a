// Which models an Ollama backend holds in memory between two probes. A probe's /api/ps is the truth
// when it arrives, but probes come every few seconds and a load takes seconds to minutes: in between,
// the router knows what it sent. Ollama loads a model on first use, and once it holds as many models
// as it may (OLLAMA_MAX_LOADED_MODELS, or what fits in memory) it unloads the least recently used one
// to make room (docs.ollama.com/faq, "How does Ollama handle concurrent requests?"). So every request
// sent makes its model resident, and beyond the most models the backend was ever seen holding at
// once, the least recently used one is taken to be gone. The next probe corrects any guess.
import type { ModelState } from "../engines/types.js";
import { ollamaName } from "../engines/ollama.js";

/** How long sent requests are remembered for replaying over a probe that may have been taken before them. */
const REMEMBER_MS = 60_000;
const MAX_REMEMBERED = 64;

export class Residency {
  /** The most models the backend was seen holding at once (1 until a probe shows more). */
  capacity = 1;
  /** Resident models by normalized name, least recently used first, with when each became resident. */
  private readonly resident = new Map<string, number>();
  private readonly sent: { model: string; at: number }[] = [];
  private syncedProbeAt: number | undefined;

  /**
   * Brings the view up to the latest probe (`probeAt`, when its answer came), then replays what was
   * sent since `probeAt - replayMs`: the probe's requests may have been answered before those arrived.
   */
  sync(models: ReadonlyMap<string, ModelState> | undefined, probeAt: number | undefined, replayMs: number): void {
    if (probeAt === undefined || probeAt === this.syncedProbeAt || models === undefined) return;
    this.syncedProbeAt = probeAt;
    const loaded = new Set<string>();
    for (const [name, m] of models) if (m.loaded) loaded.add(ollamaName(name));
    this.capacity = Math.max(this.capacity, loaded.size);
    // Keep when a model that stayed resident arrived; a newly seen one counts from the probe.
    const before = new Map(this.resident);
    this.resident.clear();
    for (const name of loaded) this.resident.set(name, before.get(name) ?? probeAt);
    for (const s of this.sent) if (s.at > probeAt - replayMs) this.use(s.model, s.at);
  }

  /** A request for `model` was sent to the backend at `now`: the model is (or is being made) resident. */
  record(model: string, now: number): void {
    this.sent.push({ model: ollamaName(model), at: now });
    while (this.sent.length > MAX_REMEMBERED || (this.sent[0] !== undefined && this.sent[0].at < now - REMEMBER_MS)) this.sent.shift();
    this.use(ollamaName(model), now);
  }

  private use(key: string, at: number): void {
    const since = this.resident.get(key);
    this.resident.delete(key);
    this.resident.set(key, since ?? at);
    while (this.resident.size > this.capacity) {
      const lru = this.resident.keys().next().value;
      if (lru === undefined) break;
      this.resident.delete(lru);
    }
  }

  /** Whether the model is resident (loaded, or loading for a request already sent). */
  has(model: string): boolean {
    return this.resident.has(ollamaName(model));
  }

  /** When the model became resident in this view, if it is. */
  since(model: string): number | undefined {
    return this.resident.get(ollamaName(model));
  }
}
