import { describe, expect, it } from "vitest";
import type { FakeEngine } from "../../../tools/fakes/index.js";
import { config, routerFixture, until, untilAllUp, type Running } from "../harness.js";

const ask = { messages: [{ role: "user" as const, content: "hello" }] };
let asked = 0;
/** A request of a conversation of its own: session affinity has no holder to prefer. */
const fresh = (): typeof ask => ({ messages: [{ role: "user" as const, content: `hello ${++asked}` }] });

describe("failover, ejection and recovery", () => {
  const fx = routerFixture();

  async function twoVllm(extra: Record<string, unknown> = {}): Promise<[FakeEngine, FakeEngine, Running]> {
    const a = await fx.fake({ engine: "vllm", models: ["m-a"] });
    const b = await fx.fake({ engine: "vllm", models: ["m-b"] });
    const run = await fx.router(
      config({
        backends: { a: { engine: "vllm", url: a.url }, b: { engine: "vllm", url: b.url } },
        aliases: {
          coder: {
            targets: [
              { backend: "a", model: "m-a" },
              { backend: "b", model: "m-b" },
            ],
          },
        },
        ...extra,
      }),
      { random: () => 0.5 },
    );
    await untilAllUp(run);
    return [a, b, run];
  }

  it.each([
    ["a 503", { mode: "status", status: 503 }],
    ["a 502", { mode: "status", status: 502 }],
    ["a connection reset before headers", { mode: "reset-before-headers" }],
    ["a 429 with Retry-After", { mode: "status", status: 429, retryAfterS: 5 }],
  ] as const)("moves to the next target on %s, with no client-visible failure", async (_label, fault) => {
    const [a, b, run] = await twoVllm();
    a.faults.set(fault);
    const res = await run
      .client()
      .chat.completions.create({ model: "coder", ...ask })
      .withResponse();
    expect(res.response.headers.get("x-router-backend")).toBe("b");
    expect(b.stats.requests["/v1/chat/completions"]).toBe(1);
    const line = JSON.parse(run.logs.find((l) => l.includes('"msg":"request"')) ?? "{}") as { attempts: number };
    expect(line.attempts).toBe(2);
  });

  it("fails over when the backend refuses connections", async () => {
    const [a, , run] = await twoVllm();
    await a.kill();
    const res = await run
      .client()
      .chat.completions.create({ model: "coder", ...ask })
      .withResponse();
    expect(res.response.headers.get("x-router-backend")).toBe("b");
  });

  it.each([
    ["a stream whose backend never answers", "hang", true],
    ["a request whose backend sent headers but no body", "stall-after-headers", false],
  ] as const)("fails over %s within the first-byte deadline", async (_label, mode, stream) => {
    const [a, b, run] = await twoVllm();
    run.router.reload(
      config({
        backends: { a: { engine: "vllm", url: a.url }, b: { engine: "vllm", url: b.url } },
        aliases: {
          coder: {
            targets: [
              { backend: "a", model: "m-a" },
              { backend: "b", model: "m-b" },
            ],
            firstByteTimeoutMs: 1_000,
          },
        },
      }),
    );
    a.faults.set({ mode });
    let text = "";
    if (stream) {
      const s = await run.client().chat.completions.create({ model: "coder", ...ask, stream: true });
      for await (const c of s) text += c.choices[0]?.delta.content ?? "";
    } else {
      const c = await run.client().chat.completions.create({ model: "coder", ...ask });
      text = c.choices[0]?.message.content ?? "";
    }
    expect(text).toContain("m-b");
  });

  it("answers 502 in OpenAI's shape when every target fails, after at most 2 retries on different backends", async () => {
    const engines: FakeEngine[] = [];
    for (let i = 0; i < 4; i++) engines.push(await fx.fake({ engine: "vllm", models: ["m"] }));
    for (const e of engines) e.faults.set({ mode: "status", status: 503 });
    const r = await fx.router(
      config({
        backends: Object.fromEntries(engines.map((e, i) => [`n${i}`, { engine: "vllm" as const, url: e.url }])),
        aliases: { coder: { targets: [0, 1, 2, 3, 0].map((i) => ({ backend: `n${i}`, model: "m" })) } },
      }),
    );
    const err = await r
      .client()
      .chat.completions.create({ model: "coder", ...ask })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 502, error: { type: "server_error" } });
    const hits = engines.map((e) => e.stats.requests["/v1/chat/completions"] ?? 0);
    expect(hits.reduce((x, y) => x + y, 0)).toBe(3);
    expect(Math.max(...hits)).toBe(1);
  });

  it("ejects after consecutive failures, skips the backend while ejected, and takes it back after", async () => {
    const [a, b, run] = await twoVllm({ ejection: { consecutiveFailures: 3, baseMs: 400, maxMs: 1_000, jitter: 0 } });
    a.faults.set({ mode: "status", status: 503 });
    for (let i = 0; i < 3; i++) await run.client().chat.completions.create({ model: "coder", ...fresh() });
    const backendA = run.router.registry.get("a");
    expect(backendA?.passive.ejected).toBe(true);
    expect(backendA?.ejections).toBe(1);
    const seenByA = a.stats.requests["/v1/chat/completions"];
    a.faults.clear();
    // While ejected, traffic goes to b without touching a.
    const res = await run
      .client()
      .chat.completions.create({ model: "coder", ...fresh() })
      .withResponse();
    expect(res.response.headers.get("x-router-backend")).toBe("b");
    expect(a.stats.requests["/v1/chat/completions"]).toBe(seenByA);
    // Once the ejection time is served, a probe (or a trial request) lifts it.
    await until(() => backendA?.passive.ejected === false, "ejection lifted");
    const back = await run
      .client()
      .chat.completions.create({ model: "coder", ...fresh() })
      .withResponse();
    expect(back.response.headers.get("x-router-backend")).toBe("a");
    expect(b.stats.requests["/v1/chat/completions"]).toBe(4);
    const metrics = await (await fetch(`${run.url}/metrics`)).text();
    expect(metrics).toMatch(/router_ejections_total\{backend="a"\} 1/);
    expect(metrics).toMatch(/router_retries_total\{alias="coder"\} 3/);
  });

  it("after the ejection time one trial request goes to the backend, and its success lifts the ejection", async () => {
    const [a, , run] = await twoVllm({
      ejection: { consecutiveFailures: 1, baseMs: 200, maxMs: 1_000, jitter: 0 },
      // Probes would lift the ejection too; keep them out of the way so the trial request does it.
      health: { intervalMs: 60_000, timeoutMs: 1_000, maxIntervalMs: 60_000 },
    });
    a.faults.set({ mode: "status", status: 503, statusCount: 1 });
    await run.client().chat.completions.create({ model: "coder", ...fresh() });
    const backendA = run.router.registry.get("a");
    expect(backendA?.passive.ejected).toBe(true);
    await until(() => Date.now() >= (backendA?.passive.ejectedUntil ?? 0), "ejection served");
    const res = await run
      .client()
      .chat.completions.create({ model: "coder", ...fresh() })
      .withResponse();
    expect(res.response.headers.get("x-router-backend")).toBe("a");
    expect(backendA?.passive.ejected).toBe(false);
    expect(backendA?.passive.trialInFlight).toBe(false);
  });

  it("treats 429 as busy, not dead: no ejection", async () => {
    const [a, , run] = await twoVllm();
    a.faults.set({ mode: "status", status: 429, retryAfterS: 1 });
    for (let i = 0; i < 4; i++) await run.client().chat.completions.create({ model: "coder", ...ask });
    expect(run.router.registry.get("a")?.passive.ejected).toBe(false);
    expect(run.router.registry.get("a")?.ejections).toBe(0);
  });

  it("still tries the best target when every backend is ejected", async () => {
    const [a, b, run] = await twoVllm({ ejection: { consecutiveFailures: 1, baseMs: 60_000, maxMs: 60_000, jitter: 0 } });
    a.faults.set({ mode: "status", status: 503, statusCount: 1 });
    b.faults.set({ mode: "status", status: 503, statusCount: 1 });
    await run
      .client()
      .chat.completions.create({ model: "coder", ...ask })
      .catch(() => undefined);
    expect(run.router.registry.all().every((x) => x.passive.ejected)).toBe(true);
    const res = await run
      .client()
      .chat.completions.create({ model: "coder", ...ask })
      .withResponse();
    expect(res.response.headers.get("x-router-backend")).toBe("a");
  });

  it("marks a backend that answers 401 as misconfigured and serves from the next", async () => {
    const a = await fx.fake({ engine: "vllm", models: ["m"], apiKey: "right" });
    const b = await fx.fake({ engine: "vllm", models: ["m"] });
    const r = await fx.router(
      config({
        backends: { a: { engine: "vllm", url: a.url, apiKey: "wrong" }, b: { engine: "vllm", url: b.url } },
        aliases: {
          coder: {
            targets: [
              { backend: "a", model: "m" },
              { backend: "b", model: "m" },
            ],
          },
        },
      }),
    );
    await until(() => r.router.registry.get("a")?.health === "misconfigured", "probe sees 401");
    const res = await r
      .client()
      .chat.completions.create({ model: "coder", ...ask })
      .withResponse();
    expect(res.response.headers.get("x-router-backend")).toBe("b");
  });
});
