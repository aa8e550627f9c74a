// The five-minute window behind /status (router/telemetry/recent.ts): per alias and per backend,
// minutes older than five drop out, and p95 is read from the bucketed times as Prometheus would.
import { describe, expect, it } from "vitest";
import { RecentWindow } from "../../../router/telemetry/recent.js";

describe("RecentWindow", () => {
  it("sums the last five minutes per alias and per backend, and forgets older ones", () => {
    let now = 10 * 60_000;
    const w = new RecentWindow(() => now);
    w.request("coder", false);
    w.attempt("spark", false);
    w.request("coder", true);
    w.attempt("spark", true);
    w.answer("coder", "spark", { ttft: 0.2, completion: 100, generationSeconds: 2, load: true });
    now += 4 * 60_000;
    w.request("coder", false);
    w.attempt("ollama", false);
    w.answer("coder", "ollama", { completion: 50, load: false });
    let s = w.snapshot();
    expect(s.aliases.get("coder")).toMatchObject({ requests: 3, errors: 1, tokens_per_s: 50, completion_tokens: 150, loads: 1 });
    expect(s.aliases.get("coder")?.p95_ttft_s).toBeGreaterThan(0);
    expect(s.backends.get("spark")).toMatchObject({ requests: 2, errors: 1, loads: 1, tokens_per_s: 50 });
    expect(s.backends.get("ollama")).toMatchObject({ requests: 1, errors: 0, loads: 0, tokens_per_s: null, p95_ttft_s: null });
    now += 60_000; // the first minute is now six minutes old
    s = w.snapshot();
    expect(s.aliases.get("coder")).toMatchObject({ requests: 1, completion_tokens: 50, loads: 0 });
    expect(s.backends.has("spark")).toBe(false);
  });

  it("reads p95 from the buckets, interpolated within the bucket", () => {
    const w = new RecentWindow(() => 0);
    for (let i = 0; i < 19; i++) w.answer("a", "b", { ttft: 0.03, load: false });
    w.answer("a", "b", { ttft: 4, load: false });
    // 20 answers: rank 19 falls at the end of the (0.025, 0.05] bucket.
    expect(w.snapshot().aliases.get("a")?.p95_ttft_s).toBe(0.05);
    for (let i = 0; i < 20; i++) w.answer("a", "b", { ttft: 4, load: false });
    // 40 answers, 19 below and 21 at 4 s in (3, 5]: rank 38 is 19 of 21 into that bucket.
    expect(w.snapshot().aliases.get("a")?.p95_ttft_s).toBe(Math.round((3 + (2 * 19) / 21) * 1000) / 1000);
  });

  it("drops a backend a reload removed", () => {
    const w = new RecentWindow(() => 0);
    w.request("a", false);
    w.attempt("gone", false);
    w.forgetBackend("gone");
    expect(w.snapshot().backends.has("gone")).toBe(false);
    expect(w.snapshot().aliases.get("a")?.requests).toBe(1);
  });
});
