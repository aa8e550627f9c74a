// One attempt's cancellation (the client left, or its first-byte deadline passed) and how a call that
// failed before its first byte is told to the client (attempt.ts).
import { backendUnreachable, firstByteTimeout, idleTimeout, type RouterError } from "../errors.js";
import { describeTransportError } from "../health/probe.js";
import type { UpstreamCall } from "./upstream.js";
import { IdleTimeout } from "./upstream-outcome.js";

export function transportError(err: unknown, timedOut: boolean, backend: string): RouterError {
  if (err instanceof IdleTimeout) return idleTimeout(backend, err.message);
  if (timedOut) return firstByteTimeout(backend);
  return backendUnreachable(backend, describeTransportError(err));
}

/**
 * One attempt's cancellation: the client left, or the first-byte deadline passed (then `timedOut`).
 * It stops the backend call directly, so no listener is registered per attempt.
 */
export class AttemptCancel {
  aborted = false;
  timedOut = false;
  call: UpstreamCall | undefined;
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.call?.abort();
  }
}

export function timeOut(c: AttemptCancel): void {
  c.timedOut = true;
  c.abort();
}
