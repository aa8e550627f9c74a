// Per-backend concurrency slots: never more than maxConcurrency requests in flight; beyond that a
// bounded number wait a bounded time, first come first served — except that a waiter whose model the
// backend holds now may go before one that would make it swap models (batching per model), and a
// waiter is passed over that way at most a bounded number of times.
import { onAbort, type CancelSignal } from "../cancel.js";

export type Release = () => void;
export type AcquireResult = Release | "full" | "timeout" | "aborted";

/** What a waiter tells the queue about its model, for batching per model. */
export interface Batch {
  model: string;
  /** Whether the backend holds this model now (asked when a slot frees). */
  resident: (model: string) => boolean;
  /** How many times this waiter may be passed over for waiters whose model is resident. */
  maxBypass: number;
}

interface Waiter {
  batch: Batch | undefined;
  bypassed: number;
  grant: (r: Release) => void;
  fail: (why: "timeout" | "aborted") => void;
}

/**
 * Which waiter gets a freed slot: the oldest one whose model is resident, unless an older waiter has
 * already been passed over as often as it allows; first come first served otherwise.
 */
function nextWaiter(waiters: readonly Pick<Waiter, "batch" | "bypassed">[]): number {
  for (let i = 0; i < waiters.length; i++) {
    const w = waiters[i] as Pick<Waiter, "batch" | "bypassed">;
    if (!w.batch) return i;
    if (w.batch.resident(w.batch.model)) return i;
    if (w.bypassed >= w.batch.maxBypass) return i;
  }
  return 0;
}

export class Slots {
  private active = 0;
  private readonly waiters: Waiter[] = [];

  constructor(
    public limit: number | undefined,
    public maxQueue: number,
    public maxWaitMs: number,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiters.length;
  }

  /** Whether a request would start now without waiting. */
  get free(): boolean {
    return this.limit === undefined || this.active < this.limit;
  }

  get queueFull(): boolean {
    return !this.free && this.waiters.length >= this.maxQueue;
  }

  acquire(signal: CancelSignal, batch?: Batch): AcquireResult | Promise<AcquireResult> {
    if (signal.aborted) return "aborted";
    if (this.free) return this.take();
    if (this.waiters.length >= this.maxQueue || this.maxWaitMs === 0) return "full";
    return new Promise<AcquireResult>((resolve) => {
      const done = (r: AcquireResult): void => {
        clearTimeout(timer);
        stopListening();
        resolve(r);
      };
      const waiter: Waiter = { batch, bypassed: 0, grant: done, fail: done };
      const drop = (why: "timeout" | "aborted"): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        waiter.fail(why);
      };
      const timer = setTimeout(() => drop("timeout"), this.maxWaitMs);
      const stopListening = onAbort(signal, () => drop("aborted"));
      this.waiters.push(waiter);
    });
  }

  private take(): Release {
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.wake();
    };
  }

  private wake(): void {
    while (this.waiters.length > 0 && this.free) {
      const i = nextWaiter(this.waiters);
      for (let j = 0; j < i; j++) (this.waiters[j] as Waiter).bypassed++;
      const [w] = this.waiters.splice(i, 1);
      w?.grant(this.take());
    }
  }

  /** After a reload changed the limit: admit whoever now fits. */
  resize(limit: number | undefined, maxQueue: number, maxWaitMs: number): void {
    this.limit = limit;
    this.maxQueue = maxQueue;
    this.maxWaitMs = maxWaitMs;
    this.wake();
  }
}
