// A one-shot cancellation flag for the request path. Node's AbortController is an EventTarget whose
// construction and listener bookkeeping showed up among the router's hottest frames (two per request);
// an EventEmitter with an `aborted` flag does the same job for less. (The backend call itself is
// stopped directly, see upstream.ts.)
import { EventEmitter } from "node:events";
import { drainExpired, requestTimeout, type RouterError } from "./errors.js";

/**
 * Why the router itself stopped a request (its whole-request time cap, or the end of a drain), and
 * what the client is told: a status before the answer started, an in-band error in a stream after.
 */
export interface Stop {
  outcome: "total-timeout" | "shutdown";
  error: RouterError;
}

export class Cancel extends EventEmitter {
  aborted = false;
  /** Set when the router stopped the request; undefined when the client went away. */
  stop: Stop | undefined;

  abort(stop?: Stop): void {
    if (this.aborted) return;
    this.aborted = true;
    this.stop = stop;
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

/** For setTimeout(stopLater, ms, cancel, stop): no closure per request. */
function stopLater(c: Cancel, stop: Stop): void {
  c.abort(stop);
}

/**
 * timeouts.totalMs (0: none): when it runs out the request is stopped with a 504 before the answer
 * started, an in-band error after. Returns what disarms it.
 */
export function totalTimer(ms: number, c: Cancel): () => void {
  if (ms <= 0) return () => undefined;
  const timer = setTimeout(stopLater, ms, c, { outcome: "total-timeout", error: requestTimeout(ms) } satisfies Stop);
  return () => clearTimeout(timer);
}

/** The drain after SIGTERM ran out while the request was still open. */
export function shutdown(drainMs: number): Stop {
  return {
    outcome: "shutdown",
    error: drainExpired(drainMs),
  };
}
