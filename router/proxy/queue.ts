// Per-backend concurrency slots: never more than maxConcurrency requests in flight; beyond that a
// bounded number wait a bounded time, first come first served.
import { onAbort, type CancelSignal } from "./cancel.js";

export type Release = () => void;
export type AcquireResult = Release | "full" | "timeout" | "aborted";

interface Waiter {
  grant: (r: Release) => void;
  fail: (why: "timeout" | "aborted") => void;
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

  acquire(signal: CancelSignal): AcquireResult | Promise<AcquireResult> {
    if (signal.aborted) return "aborted";
    if (this.free) return this.take();
    if (this.waiters.length >= this.maxQueue || this.maxWaitMs === 0) return "full";
    return new Promise<AcquireResult>((resolve) => {
      const done = (r: AcquireResult): void => {
        clearTimeout(timer);
        stopListening();
        resolve(r);
      };
      const waiter: Waiter = { grant: done, fail: done };
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
      const w = this.waiters.shift();
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
