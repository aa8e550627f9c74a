// A counting semaphore with a FIFO queue: the slots of a llama.cpp server (--parallel), where
// requests beyond the slot count wait their turn rather than fail.

import type { Release } from "./dialect.js";

export class Slots {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  get inUse(): number {
    return this.busy;
  }

  /** Resolves with a release once a slot is free; undefined if the signal aborted first. */
  acquire(signal: AbortSignal): Promise<Release | undefined> {
    const grant = (): Release => {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        this.busy -= 1;
        this.waiting.shift()?.();
      };
    };
    if (this.busy < this.size) {
      this.busy += 1;
      return Promise.resolve(grant());
    }
    return new Promise((resolve) => {
      const onTurn = (): void => {
        signal.removeEventListener("abort", onAbort);
        this.busy += 1;
        resolve(grant());
      };
      const onAbort = (): void => {
        const i = this.waiting.indexOf(onTurn);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(undefined);
      };
      if (signal.aborted) return resolve(undefined);
      this.waiting.push(onTurn);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}
