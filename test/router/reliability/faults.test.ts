// Fault injection: backends that die, hang, stall, burst 5xx, rate-limit, load cold, flap, reset and
// refuse the router's key, while clients keep coming. The router's contract: no client-visible failure
// before the first byte while another target is healthy; after it, an in-band error then close; at most
// 2 retries, each on a different backend; ejection and recovery at the configured times.
import { describe, expect, it } from "vitest";
import type { FakeEngine } from "../../../tools/fakes/index.js";
import { ask, config, FACES, faultFixture, Ledger, ledgerFake, post, streamEnd, until, untilAllUp, type Running } from "./harness.js";

const fx = faultFixture();

async function pair(
  ledger: Ledger,
  extra: Record<string, unknown> = {},
  aliasExtra: Record<string, unknown> = {},
  chunkDelayMs = 10,
): Promise<[FakeEngine, FakeEngine, Running]> {
  const a = await ledgerFake(fx, ledger, "a", { engine: "vllm", models: ["m"], anthropic: true, chunkDelayMs });
  const b = await ledgerFake(fx, ledger, "b", { engine: "vllm", models: ["m"], anthropic: true, chunkDelayMs });
  const run = await fx.router(
    config({
      backends: { a: { engine: "vllm", url: a.url }, b: { engine: "vllm", url: b.url } },
      aliases: {
        coder: {
          targets: [
            { backend: "a", model: "m" },
            { backend: "b", model: "m" },
          ],
          ...aliasExtra,
        },
      },
      ...extra,
    }),
  );
  await untilAllUp(run);
  return [a, b, run];
}

describe("fault injection", () => {
  it("a backend killed under load: whole answers and unstarted streams fail over, started streams end in-band, nothing spliced", async () => {
    const ledger = new Ledger();
    const [a, , run] = await pair(ledger);
    const jobs = Array.from({ length: 24 }, (_, i) => {
      const face = FACES[i % 3] ?? "openai";
      const stream = i % 2 === 0;
      const q = ask(face, `k${i}`, stream);
      return post(run.url + q.path, q.body).then(
        (res) => ({ i, face, stream, ...res }),
        (err: unknown) => ({ i, face, stream, status: -1, text: String(err), backend: null }),
      );
    });
    await until(() => a.stats.activeGenerations >= 4, "generations running on a");
    await a.kill();
    const results = await Promise.all(jobs);
    let cut = 0;
    for (const res of results) {
      const seen = ledger.attempts(`k${res.i}`);
      expect(seen.length).toBeLessThanOrEqual(3);
      expect(new Set(seen).size).toBe(seen.length);
      expect(res.status, `request ${res.i} (${res.face}, stream ${res.stream})`).toBe(200);
      if (!res.stream) {
        // One generation, from one backend, whole.
        expect(res.text).toContain("word");
        continue;
      }
      const end = streamEnd(res.face, res.text);
      expect(end).not.toBe("truncated");
      if (end === "in-band-error") {
        cut++;
        // Started on a, cut when a died: never retried on b after the first byte.
        expect(seen).toEqual(["a"]);
        expect(res.text).not.toContain("b word");
      } else {
        expect(res.text.includes("a word") && res.text.includes("b word")).toBe(false);
      }
    }
    expect(cut).toBeGreaterThan(0);
  });

  it.each(FACES.flatMap((face) => [true, false].map((stream) => [face, stream] as const)))(
    "a backend that accepts and never answers: %s (stream %s) is served by the next target within the first-byte deadline",
    async (face, stream) => {
      const ledger = new Ledger();
      const [a, b, run] = await pair(ledger, {}, { firstByteTimeoutMs: 800 }, 0);
      a.faults.set({ mode: "hang" });
      const q = ask(face, "h1", stream);
      const res = await post(run.url + q.path, q.body);
      expect(res.status).toBe(200);
      expect(ledger.attempts("h1")).toEqual(["b"]);
      expect((a.stats.requests["/v1/messages"] ?? 0) + (a.stats.requests["/v1/chat/completions"] ?? 0)).toBe(1);
      if (stream) expect(streamEnd(face, res.text)).toBe("complete");
      expect(b.stats.generationsCompleted).toBe(1);
    },
  );

  it.each(FACES)("headers then a stall mid-stream (%s): an in-band error in the dialect, then close; no second backend", async (face) => {
    const ledger = new Ledger();
    const [a, b, run] = await pair(ledger, { timeouts: { idleMs: 400 } });
    a.faults.set({ mode: "stall-after-headers" });
    const q = ask(face, "s1", true);
    const res = await post(run.url + q.path, q.body);
    expect(res.status).toBe(200);
    expect(streamEnd(face, res.text)).toBe("in-band-error");
    expect(b.stats.requests["/v1/chat/completions"] ?? 0).toBe(0);
    expect(b.stats.requests["/v1/messages"] ?? 0).toBe(0);
    expect(a.stats.generationsCompleted).toBe(0);
  });

  it("headers then a stall before any body on a whole answer: the next target answers", async () => {
    const ledger = new Ledger();
    const [a, , run] = await pair(ledger, {}, { firstByteTimeoutMs: 800 }, 0);
    a.faults.set({ mode: "stall-after-headers" });
    const q = ask("openai", "s2", false);
    const res = await post(run.url + q.path, q.body);
    expect(res.status).toBe(200);
    expect(res.backend).toBe("b");
  });

  it.each([
    ["a 5xx burst", { mode: "status", status: 503, statusCount: 6 }],
    ["502s", { mode: "status", status: 502, statusCount: 6 }],
    ["connection resets before headers", { mode: "reset-before-headers" }],
  ] as const)("%s: every client request succeeds; the backend is ejected; retries stay within 2 on different backends", async (_label, fault) => {
    const ledger = new Ledger();
    const [a, , run] = await pair(ledger, { ejection: { consecutiveFailures: 3, baseMs: 60_000, maxMs: 60_000, jitter: 0 } }, {}, 0);
    a.faults.set(fault);
    for (let i = 0; i < 9; i++) {
      const face = FACES[i % 3] ?? "openai";
      const q = ask(face, `f${i}`, i % 2 === 0);
      const res = await post(run.url + q.path, q.body);
      expect(res.status).toBe(200);
      expect(res.backend).toBe("b");
      expect(ledger.attempts(`f${i}`)).toEqual(["b"]);
    }
    // Three failures in a row eject a; after that it sees no traffic.
    const hitsOnA = (a.stats.requests["/v1/chat/completions"] ?? 0) + (a.stats.requests["/v1/messages"] ?? 0);
    expect(hitsOnA).toBe(3);
    expect(run.router.registry.get("a")?.passive.ejected).toBe(true);
  });

  it("429 with Retry-After: served by the next target, the busy backend is left alone for that long, never ejected", async () => {
    const ledger = new Ledger();
    const [a, , run] = await pair(ledger, { ejection: { consecutiveFailures: 1, baseMs: 60_000, maxMs: 60_000, jitter: 0 } }, {}, 0);
    a.faults.set({ mode: "status", status: 429, retryAfterS: 30 });
    for (let i = 0; i < 4; i++) {
      const q = ask(FACES[i % 3] ?? "openai", `r${i}`, false);
      const res = await post(run.url + q.path, q.body);
      expect(res.status).toBe(200);
      expect(res.backend).toBe("b");
    }
    const backendA = run.router.registry.get("a");
    expect((a.stats.requests["/v1/chat/completions"] ?? 0) + (a.stats.requests["/v1/messages"] ?? 0)).toBe(1);
    expect(backendA?.passive.ejected).toBe(false);
    expect(backendA?.passive.busyUntil).toBeGreaterThan(Date.now() + 20_000);
  });

  it("a backend answering 401 to the router's key: marked misconfigured, clients served by the next, the key never shown", async () => {
    const a = await fx.fake({ engine: "vllm", models: ["m"], apiKey: "backend-secret-right" });
    const b = await fx.fake({ engine: "vllm", models: ["m"] });
    const r = await fx.router(
      config({
        backends: { a: { engine: "vllm", url: a.url, apiKey: "backend-secret-WRONG" }, b: { engine: "vllm", url: b.url } },
        aliases: {
          coder: {
            targets: [
              { backend: "a", model: "m" },
              { backend: "b", model: "m" },
            ],
          },
        },
        // Probes would find it first; a slow probe shows the request path classifying the 401 itself.
        health: { intervalMs: 60_000, timeoutMs: 500, maxIntervalMs: 60_000 },
      }),
    );
    for (const face of FACES) {
      const q = ask(face, "u1", false);
      const res = await post(r.url + q.path, q.body);
      expect(res.status).toBe(200);
      expect(res.backend).toBe("b");
      expect(res.text).not.toContain("backend-secret");
    }
    expect(r.router.registry.get("a")?.health).toBe("misconfigured");
    expect(r.logs.join("\n")).not.toContain("backend-secret");
  });

  it("a flapping backend (killed and restarted three times): no client-visible failure", async () => {
    const ledger = new Ledger();
    const [a, , run] = await pair(ledger, { ejection: { consecutiveFailures: 1, baseMs: 100, maxMs: 200, jitter: 0 } }, {}, 0);
    let n = 0;
    for (let flap = 0; flap < 3; flap++) {
      await a.kill();
      for (let i = 0; i < 3; i++, n++) {
        const q = ask(FACES[n % 3] ?? "openai", `p${n}`, n % 2 === 0);
        expect((await post(run.url + q.path, q.body)).status).toBe(200);
      }
      await a.restart();
      await until(() => run.router.registry.get("a")?.health === "up" && !run.router.registry.get("a")?.passive.ejected, "a back");
      const q = ask("openai", `p${n++}`, false);
      const res = await post(run.url + q.path, q.body);
      expect(res.status).toBe(200);
    }
    expect(run.router.registry.get("a")?.ejections).toBeGreaterThanOrEqual(1);
  });

  it("ejection and recovery at the configured times: base × times ejected, a trial after it, lifted by success", async () => {
    const ledger = new Ledger();
    // Long enough that a request (instant generations here) never outlasts it on a busy machine.
    const base = 1_000;
    const [a, , run] = await pair(
      ledger,
      {
        ejection: { consecutiveFailures: 2, baseMs: base, maxMs: 5_000, jitter: 0 },
        // Probes out of the way: the trial request decides.
        health: { intervalMs: 60_000, timeoutMs: 500, maxIntervalMs: 60_000 },
      },
      {},
      0,
    );
    const backendA = run.router.registry.get("a");
    if (!backendA) throw new Error("no backend a");
    a.faults.set({ mode: "status", status: 503 });
    const q = (m: string): ReturnType<typeof ask> => ask("openai", m, false);
    await post(run.url + q("e1").path, q("e1").body);
    expect(backendA.passive.ejected).toBe(false);
    const before = Date.now();
    await post(run.url + q("e2").path, q("e2").body);
    const after = Date.now();
    // Ejected by the second failure in a row, for base × 1.
    expect(backendA.passive.ejected).toBe(true);
    expect(backendA.passive.ejectedUntil).toBeGreaterThanOrEqual(before + base);
    expect(backendA.passive.ejectedUntil).toBeLessThanOrEqual(after + base);
    // While ejected: no traffic to a.
    const seen = a.stats.requests["/v1/chat/completions"];
    await post(run.url + q("e3").path, q("e3").body);
    expect(a.stats.requests["/v1/chat/completions"]).toBe(seen);
    // Served: one trial goes to a; it fails, so a is ejected again for base × 2.
    await until(() => Date.now() >= backendA.passive.ejectedUntil, "first ejection served");
    const before2 = Date.now();
    const trial = await post(run.url + q("e4").path, q("e4").body);
    const after2 = Date.now();
    expect(trial.status).toBe(200);
    expect(a.stats.requests["/v1/chat/completions"]).toBe((seen ?? 0) + 1);
    expect(backendA.passive.timesEjected).toBe(2);
    expect(backendA.passive.ejectedUntil).toBeGreaterThanOrEqual(before2 + 2 * base);
    expect(backendA.passive.ejectedUntil).toBeLessThanOrEqual(after2 + 2 * base);
    // Healed: the next trial succeeds and lifts the ejection.
    a.faults.clear();
    await until(() => Date.now() >= backendA.passive.ejectedUntil, "second ejection served");
    const back = await post(run.url + q("e5").path, q("e5").body);
    expect(back.backend).toBe("a");
    expect(backendA.passive.ejected).toBe(false);
    const metrics = await (await fetch(`${run.url}/metrics`)).text();
    expect(metrics).toMatch(/router_ejections_total\{backend="a"\} 2/);
  });

  // Real Ollama takes tens of seconds to load a model, and the router's default first-byte timeout is
  // 300 s. Scaled down here: a 1.5 s load under a 6 s first-byte timeout keeps the suite fast.
  it("an Ollama cold load while more requests queue: the client that started it leaves, the load is not aborted, the others are served", async () => {
    const ollama = await fx.fake({ engine: "ollama", models: ["m"], loaded: [], loadDelayMs: 1_500, numParallel: 1, chunkDelayMs: 2 });
    const run = await fx.router(
      config({
        backends: { o: { engine: "ollama", url: ollama.url } },
        aliases: { coder: { targets: [{ backend: "o", model: "m" }], firstByteTimeoutMs: 6_000 } },
      }),
    );
    await until(() => run.router.registry.get("o")?.model("m")?.installed === true, "probe saw the model installed and cold");
    const leaving = new AbortController();
    const first = post(run.url + "/api/chat", ask("ollama", "c0", true).body, leaving.signal).catch(() => "left");
    await until(() => ollama.stats.loadsStarted === 1, "load started");
    const waiting = [1, 2].map((i) => {
      const q = ask(FACES[i] ?? "openai", `c${i}`, i === 1);
      return post(run.url + q.path, q.body);
    });
    leaving.abort();
    expect(await first).toBe("left");
    const done = await Promise.all(waiting);
    for (const res of done) expect(res.status).toBe(200);
    expect(ollama.stats.loadsAborted).toBe(0);
    expect(ollama.stats.loadsCompleted).toBe(1);
  });
});
