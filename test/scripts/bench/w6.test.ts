// W6's pure parts: the seeded plan, the systems' configs, the per-system figures (percentiles with
// requests cut at the deadline as lower bounds) and the verdicts; and the engine fleet's counts of
// loads and cold waits, with requests sent to its fakes directly.
import { describe, expect, it } from "vitest";
import { parseRouterConfig } from "../../../router/config/schema.js";
import { parseArgs } from "../../../scripts/bench/args.js";
import type { RequestResult } from "../../../scripts/bench/w6/clients.js";
import type { EngineCounts, FleetStats } from "../../../scripts/bench/w6/fleet.js";
import { Fleet } from "../../../scripts/bench/w6/fleet.js";
import { planRequests, w6Plan } from "../../../scripts/bench/w6/plan.js";
import { percentileBound, renderW6, summarize, w6Verdicts, type W6Outcome, type W6Summary } from "../../../scripts/bench/w6/summary.js";
import { w6LitellmConfig, w6NginxLocation, w6RouterConfig, w6SystemsFor } from "../../../scripts/bench/w6/systems.js";

describe("W6 plan", () => {
  it("is the same for the same seed and differs for another", () => {
    expect(w6Plan(7, "full")).toEqual(w6Plan(7, "full"));
    expect(w6Plan(7, "full").clients).not.toEqual(w6Plan(8, "full").clients);
  });

  it("mixes agents alternating agent and coder, IDE completions on micro, a long coder stream, and kills an Ollama mid-run", () => {
    const p = w6Plan(1, "full");
    const kinds = new Set(p.clients.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(["agent", "ide", "long"]);
    const agent = p.clients.find((c) => c.kind === "agent");
    expect(new Set(agent?.requests.map((r) => r.alias))).toEqual(new Set(["agent", "coder"]));
    // An agent's conversation grows: each request carries the ones before.
    expect(agent?.requests[1]?.messages.length).toBeGreaterThan(agent?.requests[0]?.messages.length ?? 0);
    expect(p.clients.filter((c) => c.kind === "ide").every((c) => c.loop === "open" && c.requests.every((r) => r.alias === "micro" && !r.stream))).toBe(true);
    expect(p.engines.filter((e) => e.engine === "ollama").map((e) => e.name)).toContain(p.victim);
    expect(p.killAtMs).toBeLessThan(p.restartAtMs);
    expect(p.restartAtMs).toBeLessThan(p.durationMs);
    expect(p.deadlineMs).toBeGreaterThan(p.durationMs);
    expect(planRequests(w6Plan(1, "quick"))).toBeLessThan(planRequests(p));
  });
});

describe("W6 systems", () => {
  const plan = w6Plan(1, "full");
  const urls = Object.fromEntries(plan.engines.map((e, i) => [e.name, `http://127.0.0.1:${9100 + i}`]));

  it("gives the router a valid config with the same aliases and order, Ollama at maxConcurrency 1", () => {
    for (const policy of ["ranked", "first"] as const) {
      const r = parseRouterConfig(w6RouterConfig(plan, urls, 9000, policy, { maxBypass: 2 }));
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.config.routing.policy).toBe(policy);
      expect(r.config.routing.maxBypass).toBe(2);
      expect(r.config.aliases.agent?.targets.map((t) => t.backend)).toEqual(plan.aliases.agent);
      expect(r.config.backends["ollama-1"]?.maxConcurrency).toBe(1);
    }
  });

  it("lets nginx move on from a backend without the model, and gives LiteLLM one deployment per target", () => {
    expect(w6NginxLocation().join(" ")).toMatch(/proxy_next_upstream error timeout http_404/);
    const y = w6LitellmConfig(plan, urls, "least-busy");
    expect(y).toContain("routing_strategy: least-busy");
    expect(y.match(/model_name: coder/g)).toHaveLength(plan.aliases.coder.length);
    expect(y).toContain(`api_base: ${urls.vllm}/v1`);
  });

  it("follows --systems, or --w6-systems when given", () => {
    expect(w6SystemsFor(["direct", "router"])).toEqual(["router", "router-first"]);
    expect(w6SystemsFor(["direct", "router", "nginx", "litellm"])).toEqual(["router", "router-first", "nginx-rr", "litellm-shuffle", "litellm-least-busy"]);
    const o = parseArgs(["--w6", "only", "--w6-systems", "router", "--seed", "3", "--w6-routing", '{"batchPerModel":false}']);
    expect([o.w6, o.w6Systems, o.seed, o.w6Routing]).toEqual(["only", ["router"], 3, { batchPerModel: false }]);
    expect(() => parseArgs(["--w6", "maybe"])).toThrow(/--w6/);
    expect(() => parseArgs(["--w6-routing", "[1]"])).toThrow(/JSON object/);
    expect(() => parseArgs(["--w6-systems", "haproxy"])).toThrow(/unknown W6 system/);
  });
});

describe("W6 figures", () => {
  const result = (over: Partial<RequestResult>): RequestResult => ({
    client: "c",
    kind: "agent",
    alias: "agent",
    stream: true,
    sentAtMs: 0,
    ttftMs: 100,
    e2eMs: 1_000,
    ok: true,
    sent: true,
    ...over,
  });
  const counts = (over: Partial<EngineCounts> = {}): EngineCounts => ({
    loadsStarted: 0,
    loadsCompleted: 0,
    loadsAborted: 0,
    evictions: 0,
    generationsStarted: 0,
    generationsCompleted: 0,
    generationsAborted: 0,
    coldRequests: 0,
    coldWithWarmFree: 0,
    ...over,
  });

  it("marks a percentile a lower bound only when a request cut at the deadline could move it", () => {
    const done = Array.from({ length: 19 }, (_, i) => ({ ms: (i + 1) * 100, cut: false }));
    expect(percentileBound(done, 50)).toEqual({ ms: 1_000, atLeast: false });
    // A request cut after 50 ms could have lasted any time: p95 and above shift, p50 does not move.
    const withCut = [...done, { ms: 50, cut: true }];
    expect(percentileBound(withCut, 50)).toEqual({ ms: 900, atLeast: true });
    expect(percentileBound([...done, { ms: 5_000, cut: true }], 50)).toEqual({ ms: 1_000, atLeast: false });
  });

  it("counts failures before and after the first token, unfinished and unsent requests, loads and cold waits", () => {
    const results = [
      result({ e2eMs: 1_000 }),
      result({ e2eMs: 3_000, ttftMs: 2_000 }),
      result({ ok: false, e2eMs: undefined, ttftMs: undefined, failure: { phase: "before-first-token", why: "status 502" } }),
      result({ ok: false, e2eMs: undefined, failure: { phase: "after-first-token", why: "connection cut" } }),
      result({ ok: false, e2eMs: 9_000, ttftMs: 9_000, unfinished: true, failure: { phase: "before-first-token", why: "not finished by the deadline" } }),
      result({ ok: false, sent: false, e2eMs: undefined, ttftMs: undefined }),
    ];
    const fleet: FleetStats = {
      a: counts({ loadsStarted: 3, evictions: 2, coldRequests: 4, coldWithWarmFree: 1 }),
      b: counts({ loadsStarted: 1, coldRequests: 1 }),
    };
    const m = summarize(results, fleet, 1234);
    expect(m).toMatchObject({
      planned: 6,
      sent: 5,
      ok: 2,
      failedBefore: 1,
      failedAfter: 1,
      unfinished: 1,
      loads: 4,
      evictions: 2,
      coldWaits: 5,
      coldWithWarmFree: 1,
      wallMs: 1234,
    });
    expect(m.e2eP99).toEqual({ ms: 9_000, atLeast: true });
    expect(m.e2eP50).toEqual({ ms: 3_000, atLeast: false });
  });

  const summary = (p95: number, loads: number, over: Partial<W6Summary> = {}): W6Summary => ({
    planned: 10,
    sent: 10,
    ok: 10,
    failedBefore: 0,
    failedAfter: 0,
    unfinished: 0,
    e2eP50: { ms: p95 / 2, atLeast: false },
    e2eP95: { ms: p95, atLeast: false },
    e2eP99: { ms: p95, atLeast: false },
    ttftP50: { ms: 1, atLeast: false },
    ttftP95: { ms: 1, atLeast: false },
    ttftP99: { ms: 1, atLeast: false },
    loads,
    evictions: 0,
    coldWaits: 0,
    coldWithWarmFree: 0,
    wallMs: 1,
    ...over,
  });

  it("judges the router against round-robin and the better LiteLLM strategy", () => {
    const outcomes: W6Outcome[] = [
      { name: "router", status: "ok", summary: summary(2_000, 6) },
      { name: "nginx-rr", status: "ok", summary: summary(8_000, 30) },
      { name: "litellm-shuffle", status: "ok", summary: summary(9_000, 30) },
      { name: "litellm-least-busy", status: "ok", summary: summary(3_000, 30) },
    ];
    const v = Object.fromEntries(w6Verdicts(outcomes).map((x) => [x.name, x]));
    expect(v["W6 p95 ≤ 0.5× round-robin"]?.verdict).toBe("met");
    expect(v["W6 p95 ≤ 0.5× LiteLLM"]).toMatchObject({ verdict: "not met" });
    expect(v["W6 p95 ≤ 0.5× LiteLLM"]?.detail).toContain("litellm-least-busy");
    expect(v["W6 model loads ≤ 0.3× round-robin"]?.verdict).toBe("met");
    expect(v["W6 zero failures while a healthy target exists"]?.verdict).toBe("met");
    // Loads are judged per answered request: round-robin that answered half its script by the deadline made fewer loads than it would have.
    const behind = w6Verdicts([
      { name: "router", status: "ok", summary: summary(1_000, 8, { ok: 73 }) },
      { name: "nginx-rr", status: "ok", summary: summary(8_000, 25, { ok: 35 }) },
    ]).find((x) => x.name === "W6 model loads ≤ 0.3× round-robin");
    expect(behind?.verdict).toBe("met");
    expect(behind?.detail).toContain("raw: 8 and 25 (0.32×)");
    const more = w6Verdicts([
      { name: "router", status: "ok", summary: summary(1_000, 10, { ok: 10 }) },
      { name: "nginx-rr", status: "ok", summary: summary(8_000, 30, { ok: 10 }) },
    ]).find((x) => x.name === "W6 model loads ≤ 0.3× round-robin");
    expect(more?.verdict).toBe("not met");
    const failing = w6Verdicts([{ name: "router", status: "ok", summary: summary(1, 1, { failedBefore: 1 }) }]);
    expect(failing.find((x) => x.name.startsWith("W6 zero"))?.verdict).toBe("not met");
    expect(failing.find((x) => x.name === "W6 p95 ≤ 0.5× LiteLLM")?.verdict).toBe("not measured");
    const unavailable = w6Verdicts([
      { name: "router", status: "ok", summary: summary(1, 1) },
      { name: "litellm-shuffle", status: "unavailable: pip failed" },
    ]);
    expect(unavailable.find((x) => x.name === "W6 p95 ≤ 0.5× LiteLLM")?.verdict).toBe("not measured (LiteLLM unavailable)");
  });

  it("renders the table with unavailable systems and lower bounds", () => {
    const md = renderW6({ seed: 1, size: "quick", requests: 10, durationMs: 10_000, killAtMs: 3_000, restartAtMs: 6_000, victim: "ollama-2", routing: {} }, [
      { name: "router", status: "ok", summary: summary(2_000, 6, { e2eP99: { ms: 7_000, atLeast: true } }) },
      { name: "litellm-shuffle", status: "unavailable: pip install litellm[proxy] failed" },
    ]);
    expect(md).toContain("| router | 10 / 10 / 10 | 0 / 0 | 0 | 1.00 / 2.00 / ≥ 7.00 | 0.00 / 0.00 / 0.00 | 6 (60) |");
    expect(md).toContain("| litellm-shuffle | unavailable: pip install litellm[proxy] failed |");
  });
});

describe("W6 engine fleet", () => {
  it("counts loads, and requests that waited on a load while another engine had the model ready", async () => {
    const fleet = new Fleet([
      { name: "o1", engine: "ollama", models: ["agent", "micro"], loadDelaysMs: { agent: 0, micro: 0 }, chunkDelayMs: 0 },
      { name: "o2", engine: "ollama", models: ["agent", "micro"], loadDelaysMs: { agent: 0, micro: 0 }, chunkDelayMs: 0 },
      { name: "v", engine: "vllm", models: ["coder"], chunkDelayMs: 0 },
    ]);
    await fleet.start();
    try {
      const urls = fleet.urls();
      const chat = (engine: string, model: string): Promise<number> =>
        fetch(`${urls[engine]}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model, max_tokens: 2, messages: [{ role: "user", content: "x" }] }),
        }).then((r) => r.status);
      expect(await chat("o1", "micro")).toBe(200);
      // o1 holds micro and is idle: o2 loading micro is a cold wait with a warm target free.
      expect(await chat("o2", "micro")).toBe(200);
      expect(await chat("o2", "agent")).toBe(200);
      expect(await chat("v", "coder")).toBe(200);
      const s = fleet.stats();
      expect([s.o1?.loadsStarted, s.o2?.loadsStarted, s.v?.loadsStarted]).toEqual([1, 2, 0]);
      expect([s.o1?.coldWithWarmFree, s.o2?.coldRequests, s.o2?.coldWithWarmFree, s.o2?.evictions]).toEqual([0, 2, 1, 1]);
      await fleet.engine("o2").kill();
      await fleet.reset();
      expect(fleet.stats().o2?.loadsStarted).toBe(0);
      expect(fleet.urls()).toEqual(urls);
    } finally {
      await fleet.stop();
    }
  });
});
