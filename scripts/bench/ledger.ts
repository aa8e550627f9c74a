// The fake upstream's account of its streams: how many are open, how many ended early, and when
// each tagged stream's connection closed (monotonic clock, comparable across local processes).

export interface StreamClose {
  /** process.hrtime.bigint() at the close, in nanoseconds, as a decimal string (JSON has no bigint). */
  closedAtNs: string;
  /** True when the connection closed before the upstream finished the answer. */
  aborted: boolean;
}

export interface LedgerStats {
  started: number;
  open: number;
  completed: number;
  aborted: number;
}

export type LedgerEvent = { kind: "open"; id: string | undefined } | { kind: "close"; id: string | undefined; closedAtNs: string; aborted: boolean };

/** Tagged closes kept at most; older ones are dropped first so memory stays bounded. */
const MAX_TAGGED = 50_000;

export class StreamLedger {
  private started = 0;
  private open = 0;
  private completed = 0;
  private aborted = 0;
  private readonly openIds = new Set<string>();
  private readonly closes = new Map<string, StreamClose>();

  record(event: LedgerEvent): void {
    if (event.kind === "open") {
      this.started++;
      this.open++;
      if (event.id !== undefined) this.openIds.add(event.id);
      return;
    }
    this.open--;
    if (event.aborted) this.aborted++;
    else this.completed++;
    if (event.id === undefined) return;
    this.openIds.delete(event.id);
    if (this.closes.size >= MAX_TAGGED) {
      const oldest = this.closes.keys().next();
      if (!oldest.done) this.closes.delete(oldest.value);
    }
    this.closes.set(event.id, { closedAtNs: event.closedAtNs, aborted: event.aborted });
  }

  stats(): LedgerStats {
    return { started: this.started, open: this.open, completed: this.completed, aborted: this.aborted };
  }

  /** For each id: its close, "open" while the stream still runs, or undefined when never seen. */
  lookup(ids: readonly string[]): Record<string, StreamClose | "open" | null> {
    const out: Record<string, StreamClose | "open" | null> = {};
    for (const id of ids) out[id] = this.closes.get(id) ?? (this.openIds.has(id) ? "open" : null);
    return out;
  }
}
