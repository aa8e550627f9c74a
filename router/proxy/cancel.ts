// A one-shot cancellation flag for the request path. Node's AbortController is an EventTarget whose
// construction and listener bookkeeping showed up among the router's hottest frames (two per request);
// an EventEmitter with an `aborted` flag does the same job for less. (The backend call itself is
// stopped directly, see upstream.ts.)
import { EventEmitter } from "node:events";

export class Cancel extends EventEmitter {
  aborted = false;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit("abort");
  }
}

/** Either kind of signal: tests and callers outside the hot path may still pass an AbortSignal. */
export type CancelSignal = Cancel | AbortSignal;

/** Calls `f` once when `signal` aborts; returns the function that stops listening. */
export function onAbort(signal: CancelSignal, f: () => void): () => void {
  if (signal instanceof Cancel) {
    signal.once("abort", f);
    return () => signal.off("abort", f);
  }
  signal.addEventListener("abort", f, { once: true });
  return () => signal.removeEventListener("abort", f);
}

/** For setTimeout(abortLater, ms, cancel): no closure per request. */
export function abortLater(c: Cancel): void {
  c.abort();
}
