// A backend's concurrency slots and queue (backends/slots.ts).
import { describe, expect, it } from "vitest";
import { Cancel, type CancelSignal } from "../../../router/cancel.js";
import { Slots } from "../../../router/backends/slots.js";

describe("Slots", () => {
  it("grants up to the limit, queues in order, refuses beyond the queue, and times out waiters", async () => {
    const s = new Slots(1, 1, 50);
    const ac = new AbortController();
    const first = s.acquire(ac.signal);
    expect(typeof first).toBe("function");
    const second = s.acquire(ac.signal);
    expect(second).toBeInstanceOf(Promise);
    expect(s.acquire(ac.signal)).toBe("full");
    (first as () => void)();
    const got = await second;
    expect(typeof got).toBe("function");
    expect(s.inFlight).toBe(1);
    expect(await s.acquire(ac.signal)).toBe("timeout");
    (got as () => void)();
    (got as () => void)();
    expect(s.inFlight).toBe(0);
  });

  it("drops a waiter whose client left", async () => {
    const s = new Slots(1, 4, 10_000);
    const hold = s.acquire(new AbortController().signal);
    const ac = new AbortController();
    const waiting = s.acquire(ac.signal);
    ac.abort();
    expect(await waiting).toBe("aborted");
    expect(s.queued).toBe(0);
    (hold as () => void)();
  });

  it("has no limit without maxConcurrency", () => {
    const s = new Slots(undefined, 0, 0);
    for (let i = 0; i < 100; i++) expect(typeof s.acquire(new AbortController().signal)).toBe("function");
    expect(s.inFlight).toBe(100);
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

  it.each(kinds)("the per-backend queue drops a waiter whose %s aborted", async (_name, make) => {
    const s = new Slots(1, 4, 10_000);
    const hold = s.acquire(make().signal);
    const waiter = make();
    const waiting = s.acquire(waiter.signal);
    waiter.abort();
    expect(await waiting).toBe("aborted");
    expect(s.queued).toBe(0);
    (hold as () => void)();
  });
});
