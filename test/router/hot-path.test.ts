// The pieces the router's hot path was made cheaper with: the cancel flag (with the per-backend
// queue) and the cached metric children (same series as before). The backend call itself is tested
// in test/router/proxy/upstream-call.test.ts.
import { describe, expect, it } from "vitest";
import { RouterMetrics } from "../../router/telemetry/metrics.js";
import { Cancel, onAbort, type CancelSignal } from "../../router/cancel.js";
import { Slots } from "../../router/backends/slots.js";

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
    ["Cancel", () => { const c = new Cancel(); return { signal: c, abort: () => c.abort() }; }],
    ["AbortSignal", () => { const ac = new AbortController(); return { signal: ac.signal, abort: () => ac.abort() }; }],
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

describe("RouterMetrics cached children", () => {
  it("records the same series as labelled calls would, per label set", async () => {
    const m = new RouterMetrics();
    m.countRequest("openai", "coder", "spark", 200);
    m.countRequest("openai", "coder", "spark", 200);
    m.countRequest("anthropic", "coder", "spark", 502);
    m.observeDuration("coder", "spark", 0.002);
    m.observeTtfb("coder", "spark", 0.001);
    const text = await m.registry.metrics();
    expect(text).toContain('router_requests_total{face="openai",alias="coder",backend="spark",status="200"} 2');
    expect(text).toContain('router_requests_total{face="anthropic",alias="coder",backend="spark",status="502"} 1');
    expect(text).toContain('router_request_duration_seconds_count{alias="coder",backend="spark"} 1');
    expect(text).toContain('router_time_to_first_byte_seconds_bucket{le="0.005",alias="coder",backend="spark"} 1');
  });

  it("keeps counting a backend after its cache entries were dropped", async () => {
    const m = new RouterMetrics();
    m.countRequest("openai", "coder", "spark", 200);
    m.forgetBackend("spark");
    m.countRequest("openai", "coder", "spark", 200);
    expect(await m.registry.metrics()).toContain('router_requests_total{face="openai",alias="coder",backend="spark",status="200"} 2');
  });
});
