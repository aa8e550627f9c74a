// The routing policies as pure pieces, without sockets or clocks: what the router believes an Ollama
// backend holds between probes, which waiter a freed slot goes to, and the routing config's defaults.
import { describe, expect, it } from "vitest";
import { parseRouterConfig } from "../../../router/config/schema.js";
import type { ModelState } from "../../../router/engines/types.js";
import { Slots, type AcquireResult, type Batch } from "../../../router/backends/slots.js";
import { Residency } from "../../../router/backends/residency.js";

const probe = (loaded: string[], cold: string[] = []): Map<string, ModelState> =>
  new Map<string, ModelState>([
    ...loaded.map((m) => [m, { installed: true, loaded: true }] as const),
    ...cold.map((m) => [m, { installed: true, loaded: false }] as const),
  ]);

describe("Residency", () => {
  it("starts from the probe and follows what the router sends, one model at a time until seen holding more", () => {
    const r = new Residency();
    expect(r.has("a")).toBe(false);
    r.sync(probe(["a"], ["b"]), 1_000, 2_000);
    expect([r.has("a"), r.has("b")]).toEqual([true, false]);
    r.record("b", 1_500);
    // Seen holding one model at most: sending another one makes it take the place of the first.
    expect([r.has("a"), r.has("b")]).toEqual([false, true]);
    expect(r.since("b")).toBe(1_500);
  });

  it("learns a backend's capacity from a probe and evicts the least recently used beyond it", () => {
    const r = new Residency();
    r.sync(probe(["a", "b"]), 1_000, 0);
    expect(r.capacity).toBe(2);
    r.record("b", 1_100);
    r.record("c", 1_200);
    expect([r.has("a"), r.has("b"), r.has("c")]).toEqual([false, true, true]);
  });

  it("replays requests sent shortly before a probe's answer, which the probe may not show yet", () => {
    const r = new Residency();
    r.sync(probe(["a"]), 1_000, 500);
    r.record("b", 1_900);
    r.sync(probe(["a"]), 2_000, 500);
    expect([r.has("a"), r.has("b")]).toEqual([false, true]);
    // A later probe that still shows `a` and was taken long after wins.
    r.sync(probe(["a"]), 9_000, 500);
    expect([r.has("a"), r.has("b")]).toEqual([true, false]);
  });

  it("keeps when a model that stayed resident arrived, and treats m and m:latest as one model", () => {
    const r = new Residency();
    r.record("m", 100);
    r.sync(probe(["m:latest"]), 5_000, 0);
    expect(r.has("m")).toBe(true);
    expect(r.since("m:latest")).toBe(100);
    expect(r.capacity).toBe(1);
  });

  it("ignores a probe it has already seen and one without a model list", () => {
    const r = new Residency();
    r.sync(probe(["a"]), 1_000, 0);
    r.record("b", 1_100);
    r.sync(probe(["a"]), 1_000, 0);
    r.sync(undefined, 2_000, 0);
    expect(r.has("b")).toBe(true);
  });
});

describe("batching per model", () => {
  const batch = (model: string, resident: () => string, maxBypass = 4): Batch => ({ model, resident: (m) => m === resident(), maxBypass });

  /** The order in which waiters queued (in this order) behind the one held slot of a backend holding `y` are served. */
  async function served(waiters: [string, Batch | undefined][]): Promise<string[]> {
    const s = new Slots(1, 8, 60_000);
    const order: string[] = [];
    const hold = s.acquire(new AbortController().signal) as () => void;
    const waits = waiters.map(([name, b]) =>
      (s.acquire(new AbortController().signal, b) as Promise<AcquireResult>).then((release) => {
        order.push(name);
        (release as () => void)();
      }),
    );
    hold();
    await Promise.all(waits);
    return order;
  }

  it("picks the oldest waiter whose model is resident, else the oldest", async () => {
    const r = (): string => "y";
    expect(
      (
        await served([
          ["x", batch("x", r)],
          ["y", batch("y", r)],
        ])
      )[0],
    ).toBe("y");
    expect(
      (
        await served([
          ["x", batch("x", r)],
          ["z", batch("z", r)],
        ])
      )[0],
    ).toBe("x");
    expect(
      (
        await served([
          ["any", undefined],
          ["y", batch("y", r)],
        ])
      )[0],
    ).toBe("any");
  });

  it("serves a waiter passed over as often as it allows before any other", async () => {
    const r = (): string => "y";
    expect(
      await served([
        ["x", batch("x", r, 2)],
        ["y1", batch("y", r, 2)],
        ["y2", batch("y", r, 2)],
        ["y3", batch("y", r, 2)],
      ]),
    ).toEqual(["y1", "y2", "x", "y3"]);
  });

  it("grants the resident model's waiters first and lets the others wait a bounded number of turns", async () => {
    for (const [maxBypass, want] of [
      [4, ["y1", "y2", "x1", "x2"]],
      // x1 was passed over once: it goes next, and then x2 is the resident model's waiter.
      [1, ["y1", "x1", "x2", "y2"]],
    ] as const) {
      const s = new Slots(1, 8, 60_000);
      let resident = "y";
      const order: string[] = [];
      const hold = s.acquire(new AbortController().signal) as () => void;
      const waits = ["x1", "y1", "x2", "y2"].map((name) =>
        (
          s.acquire(
            new AbortController().signal,
            batch(name.slice(0, 1), () => resident, maxBypass),
          ) as Promise<AcquireResult>
        ).then((release) => {
          order.push(name);
          // The backend now holds what it was last sent; the request is done at once.
          resident = name.slice(0, 1);
          (release as () => void)();
        }),
      );
      hold();
      await Promise.all(waits);
      expect(order).toEqual(want);
    }
  });
});

describe("routing.policy", () => {
  it("defaults to the ranked policy with residency tracking, batching and session affinity, and the smallest config still parses", () => {
    const r = parseRouterConfig({
      backends: { b: { engine: "ollama", url: "http://127.0.0.1:11434" } },
      aliases: { a: { targets: [{ backend: "b", model: "m" }] } },
    });
    expect(r.ok && r.config.routing).toEqual({
      policy: "ranked",
      trackResidency: true,
      batchPerModel: true,
      maxBypass: 4,
      affinity: { enabled: true, maxEntries: 10_000, ttlMs: 1_800_000 },
    });
    const bad = parseRouterConfig({ backends: {}, aliases: {}, routing: { policy: "random" } });
    expect(bad.ok).toBe(false);
  });
});
