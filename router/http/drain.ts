// Draining after SIGTERM: the requests the router is answering now, so that the drain can wait for
// them and, when its time is up, stop each one with an error its client can read (cancel.ts
// `shutdown`).
import type { ServerResponse } from "node:http";
import { Cancel, type Stop } from "../cancel.js";

/** After the drain's end, how long the requests stopped then get to write their last bytes. */
export const FLUSH_MS = 1_000;

export class InFlight {
  private readonly open = new Set<Cancel>();
  private waiters: (() => void)[] = [];

  get size(): number {
    return this.open.size;
  }

  /**
   * Counts a request in until its response closes; the Cancel it returns aborts when the client leaves
   * before the answer finished. One listener does both jobs. req 'close' is unreliable once the body
   * was read (nodejs/node#46666): the response's close before it finished is the signal.
   */
  track(res: ServerResponse): Cancel {
    const gone = new Cancel();
    this.open.add(gone);
    res.once("close", () => {
      if (!res.writableFinished) gone.abort();
      this.delete(gone);
    });
    return gone;
  }

  private delete(c: Cancel): void {
    this.open.delete(c);
    if (this.open.size === 0 && this.waiters.length > 0) {
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    }
  }

  /** Resolves when no request is left, or after `ms`, whichever comes first. */
  settled(ms: number): Promise<void> {
    if (this.open.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      }, ms);
      this.waiters.push(done);
    });
  }

  /** Stops every open request with `stop`; each answers its client and leaves the set as it ends. */
  stopAll(stop: Stop): void {
    for (const c of [...this.open]) c.abort(stop);
  }
}
