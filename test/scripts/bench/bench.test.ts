// Pure parts of the benchmark harness: directive parsing, the stream ledger, order statistics,
// wrk's script and result line, options, and the report's added-latency and target arithmetic.
import { describe, expect, it } from "vitest";
import { parseArgs, quickPlan, roundOrder } from "../../../scripts/bench/args.js";
import { directiveText, parseDirective, DEFAULT_CHUNKS } from "../../../scripts/bench/directive.js";
import { StreamLedger } from "../../../scripts/bench/ledger.js";
import { evaluateTargets, renderReport, rowValues, ROWS } from "../../../scripts/bench/report.js";
import type { Sample } from "../../../scripts/bench/report.js";
import { median, percentile, spread } from "../../../scripts/bench/stats.js";
import { nginxConfig, routerConfig } from "../../../scripts/bench/systems.js";
import { parseWrkOutput, wrkScript } from "../../../scripts/bench/wrk.js";
import { parseRouterConfig } from "../../../router/config/schema.js";

describe("parseDirective", () => {
  const body = (content: unknown, stream?: boolean): unknown => ({ model: "bench", stream, messages: [{ role: "user", content }] });
  it.each([
    ["plain text", body("hi"), { stream: false, chunks: DEFAULT_CHUNKS, paceMs: 0, id: undefined }],
    ["streamed directive", body("bench chunks=64 pace=20 id=w5-a-1", true), { stream: true, chunks: 64, paceMs: 20, id: "w5-a-1" }],
    ["content parts", body([{ type: "text", text: "bench chunks=3 pace=5" }], true), { stream: true, chunks: 3, paceMs: 5, id: undefined }],
    ["garbage numbers", body("bench chunks=x pace=-4"), { stream: false, chunks: DEFAULT_CHUNKS, paceMs: 0, id: undefined }],
    ["huge numbers are capped", body("bench chunks=9999999 pace=99999"), { stream: false, chunks: 100_000, paceMs: 10_000, id: undefined }],
    ["unsafe id ignored", body("bench id=a/b"), { stream: false, chunks: DEFAULT_CHUNKS, paceMs: 0, id: undefined }],
    ["not an object", "x", { stream: false, chunks: DEFAULT_CHUNKS, paceMs: 0, id: undefined }],
  ])("%s", (_name, input, want) => {
    expect(parseDirective(input)).toEqual(want);
  });

  it("reads back what directiveText writes", () => {
    expect(parseDirective(body(directiveText({ chunks: 7, paceMs: 3, id: "q1" }), true))).toEqual({ stream: true, chunks: 7, paceMs: 3, id: "q1" });
  });
});

describe("StreamLedger", () => {
  it("counts open, completed and aborted streams and remembers tagged closes", () => {
    const l = new StreamLedger();
    l.record({ kind: "open", id: "a" });
    l.record({ kind: "open", id: "b" });
    l.record({ kind: "open", id: undefined });
    l.record({ kind: "close", id: "a", closedAtNs: "100", aborted: true });
    l.record({ kind: "close", id: undefined, closedAtNs: "120", aborted: false });
    expect(l.stats()).toEqual({ started: 3, open: 1, completed: 1, aborted: 1 });
    expect(l.lookup(["a", "b", "c"])).toEqual({ a: { closedAtNs: "100", aborted: true }, b: "open", c: null });
  });
});

describe("stats", () => {
  it.each([
    [[], 50, Number.NaN],
    [[5], 99, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99, 10],
    [[10, 1, 9, 2, 8, 3], 50, 3],
  ])("percentile(%j, %d) = %d", (xs, p, want) => {
    expect(percentile(xs, p)).toBe(want);
  });

  it("median and spread ignore failed (non-finite) rounds", () => {
    expect(median([3, 1, 2, 4])).toBe(2.5);
    expect(spread([2, Number.NaN, 4, 3])).toEqual({ median: 3, min: 2, max: 4, n: 3 });
    expect(spread([]).n).toBe(0);
  });
});

describe("wrk", () => {
  it("writes a Lua script that survives brackets and quotes in the body", () => {
    const s = wrkScript({ body: '{"a":"]]"}', headers: { "x-k": 'v"1' } });
    expect(s).toContain('wrk.body = [=[{"a":"]]"}]=]');
    expect(s).toContain('wrk.headers[ [[x-k]] ] = [[v"1]]');
    expect(s).toContain("latency:percentile(99)");
  });

  it("parses the result line into milliseconds and rates", () => {
    const out = [
      "Running 2s test @ http://127.0.0.1:1/",
      'WRK_JSON {"requests":20000,"duration_us":2000000,"connect":0,"read":1,"write":0,"timeout":2,"status":3,"p50":250,"p90":400,"p99":1500,"max":9000}',
    ].join("\n");
    expect(parseWrkOutput(out)).toEqual({ requests: 20000, durationS: 2, rps: 10000, p50Ms: 0.25, p90Ms: 0.4, p99Ms: 1.5, maxMs: 9, errors: 6, non2xx: 3 });
  });

  it("refuses output without a result line", () => {
    expect(() => parseWrkOutput("unable to connect")).toThrow(/no result line/);
  });
});

describe("parseArgs", () => {
  it("quick runs the floor and the router with small counts", () => {
    const o = parseArgs(["--quick"]);
    expect(o.systems).toEqual(["direct", "router"]);
    expect(o.plan).toEqual(quickPlan());
  });

  it.each<[string[], string[]]>([
    [[], ["direct", "nginx", "router"]],
    [["--peers"], ["direct", "nginx", "router", "portkey", "litellm", "olla"]],
    [
      ["--quick", "--peers"],
      ["direct", "router", "portkey", "litellm", "olla"],
    ],
    [
      ["--peers", "--systems", "router,litellm"],
      ["direct", "router", "litellm"],
    ],
  ])("runs nginx, the baseline, by default and the peer gateways only with --peers: %j", (argv, systems) => {
    const o = parseArgs(argv);
    expect(o.systems).toEqual(systems);
    expect(o.peers).toBe(argv.includes("--peers"));
  });

  it.each([
    [["--systems", "router,litellm"], /litellm: peer gateways run only with --peers/],
    [["--w6-systems", "router,litellm-shuffle"], /litellm-shuffle: peer gateways run only with --peers/],
  ])("refuses a peer named without --peers: %j", (argv, err) => {
    expect(() => parseArgs(argv)).toThrow(err);
  });

  it("always keeps direct, the baseline of every added latency", () => {
    expect(parseArgs(["--systems", "router,nginx"]).systems).toEqual(["direct", "router", "nginx"]);
  });

  it("runs only the workloads asked for", () => {
    expect(parseArgs(["--workloads", "W7,W1"]).workloads).toEqual(["W7", "W1"]);
    expect(parseArgs([]).workloads).toContain("W7");
  });

  it.each([
    [["--workloads", "W9"], /unknown workload W9/],
    [["--systems", "envoy"], /unknown system envoy/],
    [["--rounds", "0"], /whole number/],
    [["--rounds"], /needs a value/],
    [["--olla-version", "main; rm"], /olla-version/],
    [["--fast"], /unknown option/],
  ])("rejects %j", (argv, err) => {
    expect(() => parseArgs(argv)).toThrow(err);
  });

  it("rotates the order each round", () => {
    expect([0, 1, 2, 3].map((r) => roundOrder(["a", "b", "c"], r).join(""))).toEqual(["abc", "bca", "cab", "abc"]);
  });
});

describe("system configs", () => {
  it("the router config is valid for the router's own schema", () => {
    const r = parseRouterConfig(routerConfig(9000, 9001));
    expect(r.ok).toBe(true);
  });

  it("nginx proxies to the upstream without buffering or access log", () => {
    const c = nginxConfig("/tmp/x", 9001, 9000, false);
    expect(c).toContain("listen 127.0.0.1:9001;");
    expect(c).toContain("server 127.0.0.1:9000;");
    expect(c).toMatch(/proxy_buffering off;[\s\S]*access_log off;|access_log off;[\s\S]*proxy_buffering off;/);
    expect(c).not.toContain("user root");
    // W7's bodies pass through whatever their size.
    expect(c).toContain("client_max_body_size 0;");
  });
});

describe("report", () => {
  const s = (round: number, system: Sample["system"], workload: Sample["workload"], metrics: Record<string, number>, error?: string): Sample =>
    error === undefined ? { round, system, workload, metrics } : { round, system, workload, metrics, error };
  const samples: Sample[] = [
    s(0, "direct", "W1", { p50Ms: 0.1, p99Ms: 0.3 }),
    s(0, "router", "W1", { p50Ms: 0.2, p99Ms: 0.6 }),
    s(1, "direct", "W1", { p50Ms: 0.2, p99Ms: 0.5 }),
    s(1, "router", "W1", { p50Ms: 0.25, p99Ms: 0.7 }),
    s(0, "direct", "W2c32", { rps: 30000 }),
    s(0, "router", "W2c32", { rps: 9000 }),
    s(0, "nginx", "W2c32", { rps: 20000 }),
    s(0, "portkey", "W2c32", { rps: 1000 }),
    s(0, "router", "W5", { delayP99Ms: 3, leaks: 0 }),
    s(1, "router", "W5", { delayP99Ms: 4, leaks: 1 }),
    s(0, "router", "W3ttft", {}, "all 40 streams failed"),
  ];

  it("subtracts direct of the same round for added rows", () => {
    const added = ROWS.find((r) => r.label === "W1 added p99 (ms)")!;
    expect(rowValues(samples, "router", added).map((v) => +v.toFixed(3))).toEqual([0.3, 0.2]);
  });

  it("judges the targets, including not-met and unmeasured ones", () => {
    const t = Object.fromEntries(evaluateTargets(samples, 1000).map((x) => [x.name, x.verdict]));
    expect(t["W2 c=32 ≥ 0.30× nginx"]).toBe("met");
    expect(t["W2 c=32 ≥ 15× Portkey"]).toBe("not met");
    expect(t["W1 added p99 ≤ 0.5 ms"]).toBe("met");
    expect(t["W5 p99 ≤ 50 ms, zero leaks"]).toBe("not met");
    expect(t["W3 added TTFT ≤ 1 ms"]).toBe("not measured");
  });

  it("says 'not run' in a verdict's detail for a system the run left out, never NaN", () => {
    const routerOnly = samples.filter((x) => x.system !== "nginx");
    const nginx = evaluateTargets(routerOnly, 100).find((x) => x.name === "W2 c=32 ≥ 0.30× nginx")!;
    expect(nginx.verdict).toBe("not measured");
    expect(nginx.detail).toBe("router 9000 req/s, nginx not run");
    for (const t of evaluateTargets([], 100)) expect(t.detail).not.toContain("NaN");
  });

  it("renders ratios, unavailable systems and failures", () => {
    const md = renderReport({
      title: "t",
      machine: { cores: "2" },
      systems: [
        { name: "direct", status: "ok" },
        { name: "router", status: "ok" },
        { name: "nginx", status: "ok" },
        { name: "portkey", status: "ok" },
        { name: "olla", status: "unavailable: go install failed" },
      ],
      samples,
      holdStreams: 1000,
      notes: ["n"],
    });
    expect(md).toContain("| olla | unavailable: go install failed |");
    expect(md).toMatch(/\| W2 c=32 req\/s \| 30000 \| 9000 \| 20000 \| 1000 \| 0\.30× \| 0\.45× \| 0\.11× \|/);
    expect(md).toContain("- router W3ttft: all 40 streams failed");
    expect(md).not.toContain("Olla ÷ router");
  });
});

describe("topFrames", () => {
  it("sums self time per frame and ranks it", async () => {
    const { topFrames } = await import("../../../scripts/bench/profile.js");
    const frame = (id: number, functionName: string, url: string): { id: number; callFrame: { functionName: string; url: string; lineNumber: number } } => ({
      id,
      callFrame: { functionName, url, lineNumber: 9 },
    });
    const profile = {
      nodes: [frame(1, "(idle)", ""), frame(2, "parse", "file:///w/router/proxy/forward.ts"), frame(3, "", "node:internal/x")],
      samples: [1, 2, 2, 3],
      timeDeltas: [1000, 3000, 3000, 3000],
    };
    expect(topFrames(profile, 2)).toEqual([
      { frame: "parse router/proxy/forward.ts:10", selfMs: 6, share: 0.6 },
      { frame: "(anonymous) node:internal/x:10", selfMs: 3, share: 0.3 },
    ]);
  });
});
