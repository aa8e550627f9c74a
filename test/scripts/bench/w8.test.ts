// W8's pure parts: the seeded script, the router's config for it, matching each turn to its engine's
// cache-slot line, the figures and the verdicts.
import { describe, expect, it } from "vitest";
import { parseRouterConfig } from "../../../router/config/schema.js";
import { parseArgs } from "../../../scripts/bench/args.js";
import type { TurnResult } from "../../../scripts/bench/w8/clients.js";
import type { W8Server } from "../../../scripts/bench/w8/engines.js";
import { w8Plan, w8Script } from "../../../scripts/bench/w8/plan.js";
import { matchEvaluated, renderW8, summarizeW8, w8Verdicts, type W8Outcome } from "../../../scripts/bench/w8/summary.js";
import { w8RouterConfig } from "../../../scripts/bench/w8/systems.js";

const turn = (over: Partial<TurnResult>): TurnResult => ({
  agent: 0,
  conversation: 0,
  turn: 1,
  sentAtMs: 0,
  ttftMs: 1_000,
  e2eMs: 1_200,
  ok: true,
  engine: "one",
  promptEvalCount: 2_000,
  promptEvalMs: 900,
  ...over,
});

describe("W8 script", () => {
  it("is the same for the same seed; every agent's conversations share the system prompt and differ in task", () => {
    const p = w8Plan(3, "quick");
    expect(w8Script(p)).toEqual(w8Script(p));
    const s = w8Script(p);
    expect(s.agents).toHaveLength(p.agents);
    const tasks = s.agents.flat().map((c) => c.task);
    expect(new Set(tasks).size).toBe(tasks.length);
    expect(s.agents.flat().every((c) => c.tools.length === p.turns - 1 && c.thinks.length === p.turns - 1)).toBe(true);
    // More conversations in total than the engines have slots.
    expect(p.agents * p.conversationsPerAgent).toBeGreaterThan(p.engines.reduce((n, e) => n + e.numParallel, 0));
  });
});

describe("W8 router config", () => {
  it("gives each Ollama its slots as maxConcurrency and switches affinity", () => {
    const servers = [
      { name: "one", numParallel: 1, server: { url: "http://127.0.0.1:1" } },
      { name: "two", numParallel: 2, server: { url: "http://127.0.0.1:2" } },
    ] as unknown as W8Server[];
    for (const on of [true, false]) {
      const r = parseRouterConfig(w8RouterConfig(servers, 4000, on));
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      expect(r.config.backends.two?.maxConcurrency).toBe(2);
      expect(r.config.routing.affinity.enabled).toBe(on);
      expect(r.config.aliases.w8?.targets.map((t) => t.backend)).toEqual(["one", "two"]);
    }
  });

  it("--w8 and --w8-systems parse", () => {
    expect(parseArgs(["--w8", "only", "--w8-systems", "router,round-robin"])).toMatchObject({ w8: "only", w8Systems: ["router", "round-robin"] });
    expect(() => parseArgs(["--w8", "maybe"])).toThrow(/--w8 must be/);
    expect(() => parseArgs(["--w8-systems", "litellm"])).toThrow(/unknown W8 system/);
  });
});

describe("W8 figures", () => {
  it("matches each turn to its engine's cache line of the same prompt size, in order", () => {
    const results = [turn({ sentAtMs: 1 }), turn({ sentAtMs: 2 }), turn({ sentAtMs: 3, engine: "two" }), turn({ sentAtMs: 4, engine: undefined })];
    const lines = new Map([
      [
        "one",
        [
          { prompt: 2_000, used: 1_999, remaining: 1 },
          { prompt: 2_000, used: 0, remaining: 2_000 },
        ],
      ],
      ["two", [{ prompt: 1_500, used: 0, remaining: 1_500 }]],
    ]);
    expect(matchEvaluated(results, lines)).toBe(2);
    expect(results.map((r) => r.evaluated)).toEqual([1, 2_000, undefined, undefined]);
  });

  it("summarises later and first turns apart, and judges against the router without affinity", () => {
    const on = summarizeW8(
      [turn({ turn: 0, evaluated: 1_700, ttftMs: 2_000 }), turn({ evaluated: 400, ttftMs: 500 }), turn({ evaluated: 500, ttftMs: 700 })],
      3,
      { kept: 2, "kept-waiting": 1 },
      10_000,
    );
    const off = summarizeW8(
      [turn({ turn: 0, evaluated: 1_700, ttftMs: 2_000 }), turn({ evaluated: 1_800, ttftMs: 2_500 }), turn({ evaluated: 2_000, ttftMs: 3_000 })],
      3,
      {},
      12_000,
    );
    expect(on).toMatchObject({ turns: 3, failed: 0, evaluatedLater: 450, evaluatedFirst: 1_700, evaluatedByTurn: [1_700, 450], waitedForHolder: 1 });
    const outcomes: W8Outcome[] = [
      { name: "router", status: "ok", summary: on },
      { name: "router-no-affinity", status: "ok", summary: off },
      { name: "round-robin", status: "unavailable: no nginx" },
    ];
    expect(w8Verdicts(outcomes).map((v) => v.pass)).toEqual([true, true, true, true]);
    const md = renderW8(w8Plan(1, "quick"), "calibrated", outcomes);
    expect(md).toContain("| router | 3 (0) | 450 |");
    expect(md).toContain("unavailable: no nginx");
    expect(md).toContain("| router | 1700 | 450 | – |");
    expect(md).toContain("| router-no-affinity | 1700 | 1900 | – |");
    // Without the baseline there is nothing to compare.
    expect(w8Verdicts(outcomes.slice(0, 1))[0]?.pass).toBe(false);
  });
});
