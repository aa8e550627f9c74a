// The request's cancellation flag (cancel.ts): one abort, and onAbort over either kind of signal.
import { describe, expect, it } from "vitest";
import { Cancel, onAbort, type CancelSignal } from "../../router/cancel.js";

describe("Cancel", () => {
  it("aborts once: listeners run a single time and the flag stays set", () => {
    const c = new Cancel();
    let calls = 0;
    onAbort(c, () => calls++);
    c.abort();
    c.abort();
    expect(c.aborted).toBe(true);
    expect(calls).toBe(1);
  });

  const kinds: [string, () => { signal: CancelSignal; abort: () => void }][] = [
    [
      "Cancel",
      () => {
        const c = new Cancel();
        return { signal: c, abort: () => c.abort() };
      },
    ],
    [
      "AbortSignal",
      () => {
        const ac = new AbortController();
        return { signal: ac.signal, abort: () => ac.abort() };
      },
    ],
  ];
  it.each(kinds)("onAbort(%s) calls back on abort and not after it stopped listening", (_name, make) => {
    const a = make();
    let fired = 0;
    onAbort(a.signal, () => fired++);
    a.abort();
    expect(fired).toBe(1);
    const b = make();
    let late = 0;
    const stop = onAbort(b.signal, () => late++);
    stop();
    b.abort();
    expect(late).toBe(0);
  });
});
