// W8's figures per system, its verdicts against the router without affinity, and its Markdown.
import { percentile } from "../stats.js";
import type { SlotLine } from "./engines.js";
import type { TurnResult } from "./clients.js";
import type { W8Plan } from "./plan.js";
import type { W8SystemName } from "./systems.js";

export interface W8Summary {
  turns: number;
  failed: number;
  /** Turns whose engine's cache line was found (the evaluated count is known). */
  matched: number;
  /** Mean tokens the engines evaluated per turn after the first, and per first turn. */
  evaluatedLater: number;
  evaluatedFirst: number;
  /** Mean tokens evaluated at each turn of a conversation (index 0 the first turn): the gap grows with the conversation. */
  evaluatedByTurn: number[];
  /** Mean prompt_eval_count per turn after the first (Ollama: the whole prompt). */
  promptEvalCountLater: number;
  /** Mean prompt_eval_duration per turn after the first, ms. */
  promptEvalMsLater: number;
  ttftLaterP50: number;
  ttftLaterP95: number;
  ttftFirstP95: number;
  /** Turns that waited for their saturated cache holder while another target was free (router_affinity_total{choice="kept-waiting"}). */
  waitedForHolder: number;
  affinity: Record<string, number>;
  wallS: number;
}

export interface W8Outcome {
  name: W8SystemName;
  status: string;
  summary?: W8Summary;
}

/** Each turn's evaluated tokens from its engine's cache line: the same prompt size, in order. */
export function matchEvaluated(results: TurnResult[], lines: Map<string, SlotLine[]>): number {
  const pools = new Map<string, SlotLine[]>([...lines].map(([k, v]) => [k, [...v]]));
  let matched = 0;
  for (const r of [...results].sort((a, b) => a.sentAtMs - b.sentAtMs)) {
    const pool = r.engine === undefined ? undefined : pools.get(r.engine);
    if (!r.ok || pool === undefined || r.promptEvalCount === undefined) continue;
    const i = pool.findIndex((l) => l.prompt === r.promptEvalCount);
    if (i < 0) continue;
    r.evaluated = (pool[i] as SlotLine).remaining;
    pool.splice(i, 1);
    matched++;
  }
  return matched;
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

export function summarizeW8(results: TurnResult[], matched: number, affinity: Record<string, number>, wallMs: number): W8Summary {
  const ok = results.filter((r) => r.ok);
  const first = ok.filter((r) => r.turn === 0);
  const later = ok.filter((r) => r.turn > 0);
  const nums = (rs: TurnResult[], f: (r: TurnResult) => number | undefined): number[] => rs.map(f).filter((x): x is number => x !== undefined);
  return {
    turns: results.length,
    failed: results.length - ok.length,
    matched,
    evaluatedLater: mean(nums(later, (r) => r.evaluated)),
    evaluatedFirst: mean(nums(first, (r) => r.evaluated)),
    evaluatedByTurn: Array.from({ length: Math.max(0, ...ok.map((r) => r.turn + 1)) }, (_, t) =>
      mean(
        nums(
          ok.filter((r) => r.turn === t),
          (r) => r.evaluated,
        ),
      ),
    ),
    promptEvalCountLater: mean(nums(later, (r) => r.promptEvalCount)),
    promptEvalMsLater: mean(nums(later, (r) => r.promptEvalMs)),
    ttftLaterP50: percentile(
      nums(later, (r) => r.ttftMs),
      50,
    ),
    ttftLaterP95: percentile(
      nums(later, (r) => r.ttftMs),
      95,
    ),
    ttftFirstP95: percentile(
      nums(first, (r) => r.ttftMs),
      95,
    ),
    waitedForHolder: affinity["kept-waiting"] ?? 0,
    affinity,
    wallS: wallMs / 1000,
  };
}

export interface W8Verdict {
  what: string;
  pass: boolean;
  detail: string;
}

/** The targets: against the router without affinity, on the same engines and script. */
export function w8Verdicts(outcomes: readonly W8Outcome[]): W8Verdict[] {
  const on = outcomes.find((o) => o.name === "router")?.summary;
  const off = outcomes.find((o) => o.name === "router-no-affinity")?.summary;
  if (!on || !off) return [{ what: "W8 compared", pass: false, detail: "the router with and without affinity must both run" }];
  const tokens = off.evaluatedLater / on.evaluatedLater;
  const p95 = on.ttftLaterP95 / off.ttftLaterP95;
  const first = on.ttftFirstP95 / off.ttftFirstP95;
  return [
    {
      what: "later turns: ≥ 2× fewer prompt tokens evaluated",
      pass: tokens >= 2,
      detail: `${off.evaluatedLater.toFixed(0)} → ${on.evaluatedLater.toFixed(0)} (${tokens.toFixed(2)}×)`,
    },
    {
      what: "later turns: TTFT p95 ≤ 0.6×",
      pass: p95 <= 0.6,
      detail: `${(off.ttftLaterP95 / 1000).toFixed(2)} s → ${(on.ttftLaterP95 / 1000).toFixed(2)} s (${p95.toFixed(2)}×)`,
    },
    {
      what: "first turns: TTFT p95 ≤ 1.1×",
      pass: first <= 1.1,
      detail: `${(off.ttftFirstP95 / 1000).toFixed(2)} s → ${(on.ttftFirstP95 / 1000).toFixed(2)} s (${first.toFixed(2)}×)`,
    },
    { what: "no failed turns (router)", pass: on.failed === 0, detail: `${on.failed} of ${on.turns}` },
  ];
}

const s = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : "–");
const n = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : "–");

export function renderW8(plan: W8Plan, calibration: string, outcomes: readonly W8Outcome[]): string {
  const lines = [
    `### W8: conversations that come back (session affinity), real Ollama ${plan.size === "quick" ? "(quick)" : ""}`,
    "",
    `${plan.agents} agents × ${plan.conversationsPerAgent} conversation(s) × ${plan.turns} turns; engines ${plan.engines.map((e) => `${e.name} (OLLAMA_NUM_PARALLEL=${e.numParallel})`).join(", ")}; model ${plan.model.embedding}×${plan.model.layers} layers, ${plan.model.numPredict} tokens per answer; seed ${plan.seed}. ${calibration}`,
    "",
    "| System | Turns (failed) | Evaluated tokens, later turns (mean) | prompt_eval_count, later (mean) | prompt_eval_duration, later (mean ms) | TTFT later p50 / p95 (s) | TTFT first p95 (s) | Evaluated, first turns (mean) | Waited for holder | Wall (s) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const o of outcomes) {
    const m = o.summary;
    if (!m) {
      lines.push(`| ${o.name} | ${o.status} | | | | | | | | |`);
      continue;
    }
    lines.push(
      `| ${o.name} | ${m.turns} (${m.failed}) | ${n(m.evaluatedLater)} | ${n(m.promptEvalCountLater)} | ${n(m.promptEvalMsLater)} | ${s(m.ttftLaterP50)} / ${s(m.ttftLaterP95)} | ${s(m.ttftFirstP95)} | ${n(m.evaluatedFirst)} | ${o.name === "router" ? m.waitedForHolder : "–"} | ${m.wallS.toFixed(0)} |`,
    );
  }
  const aff = outcomes.find((o) => o.name === "router")?.summary?.affinity;
  if (aff)
    lines.push(
      "",
      `router's affinity choices: ${
        Object.entries(aff)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ") || "none"
      }`,
    );
  const byTurn = outcomes.filter((o) => o.summary !== undefined);
  if (byTurn.length > 0)
    lines.push(
      "",
      "Evaluated tokens by turn of a conversation (mean; turn 1 is the first):",
      "",
      `| System | ${Array.from({ length: plan.turns }, (_, i) => `${i + 1}`).join(" | ")} |`,
      `| --- |${" ---: |".repeat(plan.turns)}`,
      ...byTurn.map((o) => `| ${o.name} | ${Array.from({ length: plan.turns }, (_, i) => n(o.summary?.evaluatedByTurn[i] ?? NaN)).join(" | ")} |`),
    );
  lines.push("", ...w8Verdicts(outcomes).map((v) => `- ${v.pass ? "✅" : "❌"} ${v.what}: ${v.detail}`), "");
  return lines.join("\n");
}
