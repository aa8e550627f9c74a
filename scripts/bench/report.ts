// Turns the samples of a run into the Markdown report: medians with their min–max over rounds,
// latency added over the direct call of the same round, ratios between systems, and the targets.
import { spread } from "./stats.js";
import type { Spread } from "./stats.js";
import type { SystemName } from "./systems.js";
import type { Metrics, WorkloadName } from "./workloads.js";

export interface Sample {
  round: number;
  system: SystemName;
  workload: WorkloadName;
  metrics: Metrics;
  error?: string;
}

export interface Row {
  label: string;
  workload: WorkloadName;
  metric: string;
  /** Subtract direct's value for `baseline` (same metric) in the same round. */
  added?: { baseline: WorkloadName; metric: string };
}

export const ROWS: Row[] = [
  { label: "W1 p50 (ms)", workload: "W1", metric: "p50Ms" },
  { label: "W1 p99 (ms)", workload: "W1", metric: "p99Ms" },
  { label: "W1 added p50 (ms)", workload: "W1", metric: "p50Ms", added: { baseline: "W1", metric: "p50Ms" } },
  { label: "W1 added p99 (ms)", workload: "W1", metric: "p99Ms", added: { baseline: "W1", metric: "p99Ms" } },
  { label: "W2 c=32 req/s", workload: "W2c32", metric: "rps" },
  { label: "W2 c=32 p50 (ms)", workload: "W2c32", metric: "p50Ms" },
  { label: "W2 c=32 p99 (ms)", workload: "W2c32", metric: "p99Ms" },
  { label: "W2 c=32 errors", workload: "W2c32", metric: "errors" },
  { label: "W2 c=128 req/s", workload: "W2c128", metric: "rps" },
  { label: "W2 c=128 p50 (ms)", workload: "W2c128", metric: "p50Ms" },
  { label: "W2 c=128 p99 (ms)", workload: "W2c128", metric: "p99Ms" },
  { label: "W2 c=128 errors", workload: "W2c128", metric: "errors" },
  { label: "W3 TTFT p50 (ms)", workload: "W3ttft", metric: "ttftP50Ms" },
  { label: "W3 added TTFT p50 (ms)", workload: "W3ttft", metric: "ttftP50Ms", added: { baseline: "W3ttft", metric: "ttftP50Ms" } },
  { label: "W3 added TTFT p99 (ms)", workload: "W3ttft", metric: "ttftP99Ms", added: { baseline: "W3ttft", metric: "ttftP99Ms" } },
  { label: "W3 added gap per chunk (ms)", workload: "W3ttft", metric: "gapMs", added: { baseline: "W3ttft", metric: "gapMs" } },
  { label: "W3 held streams completed", workload: "W3hold", metric: "completed" },
  { label: "W3 held streams failed", workload: "W3hold", metric: "failed" },
  { label: "W3 RSS at peak (MiB)", workload: "W3hold", metric: "rssPeakMb" },
  { label: "W3 held TTFT p99 (ms)", workload: "W3hold", metric: "ttftP99Ms" },
  { label: "W5 disconnect→upstream close p50 (ms)", workload: "W5", metric: "delayP50Ms" },
  { label: "W5 disconnect→upstream close p99 (ms)", workload: "W5", metric: "delayP99Ms" },
  { label: "W5 leaked upstream streams", workload: "W5", metric: "leaks" },
  { label: "W4 (Anthropic in) W1 added p50 (ms)", workload: "W4w1", metric: "p50Ms", added: { baseline: "W1", metric: "p50Ms" } },
  { label: "W4 (Anthropic in) W1 added p99 (ms)", workload: "W4w1", metric: "p99Ms", added: { baseline: "W1", metric: "p99Ms" } },
  { label: "W4 (Anthropic in) W2 c=32 req/s", workload: "W4w2", metric: "rps" },
  { label: "W4 (Anthropic in) added TTFT p50 (ms)", workload: "W4ttft", metric: "ttftP50Ms", added: { baseline: "W3ttft", metric: "ttftP50Ms" } },
  { label: "W4 (Anthropic in) added gap per chunk (ms)", workload: "W4ttft", metric: "gapMs", added: { baseline: "W3ttft", metric: "gapMs" } },
  { label: "W7 big bodies: RSS at peak (MiB)", workload: "W7", metric: "rssPeakMb" },
  { label: "W7 big bodies: RSS peak − before (MiB)", workload: "W7", metric: "rssAddedMb" },
  { label: "W7 big bodies: served (200)", workload: "W7", metric: "ok" },
  { label: "W7 big bodies: refused for now (503)", workload: "W7", metric: "refused" },
  { label: "W7 big bodies: failed otherwise", workload: "W7", metric: "failed" },
];

/** One value per round of a system for a row (added rows subtract direct's same-round value). */
export function rowValues(samples: readonly Sample[], system: SystemName, row: Row): number[] {
  const out: number[] = [];
  for (const s of samples) {
    if (s.system !== system || s.workload !== row.workload || s.error !== undefined) continue;
    const v = s.metrics[row.metric];
    if (v === undefined) continue;
    if (!row.added) {
      out.push(v);
      continue;
    }
    const { baseline, metric } = row.added;
    const base = samples.find((b) => b.system === "direct" && b.round === s.round && b.workload === baseline && b.error === undefined);
    const bv = base?.metrics[metric];
    if (bv !== undefined) out.push(v - bv);
  }
  return out;
}

function cell(s: Spread): string {
  if (s.n === 0) return "–";
  const f = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(3));
  return s.n === 1 || s.min === s.max ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

const RATIOS: { label: string; num: SystemName; den: SystemName }[] = [
  { label: "router ÷ direct", num: "router", den: "direct" },
  { label: "router ÷ nginx", num: "router", den: "nginx" },
  { label: "Portkey ÷ router", num: "portkey", den: "router" },
  { label: "LiteLLM ÷ router", num: "litellm", den: "router" },
  { label: "Olla ÷ router", num: "olla", den: "router" },
];

function ratio(a: Spread, b: Spread): string {
  if (a.n === 0 || b.n === 0 || b.median === 0) return "–";
  return `${(a.median / b.median).toFixed(2)}×`;
}

export interface Target {
  name: string;
  /** "met", "not met", or why it could not be assessed. */
  verdict: string;
  detail: string;
}

/** A median for a verdict's detail; "not run" where the system or workload has no sample. */
function shown(s: Spread, digits: number, unit: string): string {
  return s.n === 0 ? "not run" : `${s.median.toFixed(digits)} ${unit}`;
}

function med(samples: readonly Sample[], system: SystemName, workload: WorkloadName, metric: string, added?: WorkloadName): Spread {
  const row: Row = { label: "", workload, metric, ...(added ? { added: { baseline: added, metric } } : {}) };
  return spread(rowValues(samples, system, row));
}

export function evaluateTargets(samples: readonly Sample[], holdStreams: number): Target[] {
  const out: Target[] = [];
  const judge = (name: string, ok: boolean | undefined, detail: string, why = "not measured"): void => {
    out.push({ name, verdict: ok === undefined ? why : ok ? "met" : "not met", detail });
  };
  const r32 = med(samples, "router", "W2c32", "rps");
  const n32 = med(samples, "nginx", "W2c32", "rps");
  const p32 = med(samples, "portkey", "W2c32", "rps");
  judge(
    "W2 c=32 ≥ 0.30× nginx",
    r32.n && n32.n ? r32.median >= 0.3 * n32.median : undefined,
    `router ${shown(r32, 0, "req/s")}, nginx ${shown(n32, 0, "req/s")}`,
  );
  judge(
    "W2 c=32 ≥ 15× Portkey",
    r32.n && p32.n ? r32.median >= 15 * p32.median : undefined,
    `router ${shown(r32, 0, "req/s")}, Portkey ${shown(p32, 0, "req/s")}`,
  );
  const w1 = med(samples, "router", "W1", "p99Ms", "W1");
  judge("W1 added p99 ≤ 0.5 ms", w1.n ? w1.median <= 0.5 : undefined, shown(w1, 3, "ms"));
  const tt = med(samples, "router", "W3ttft", "ttftP50Ms", "W3ttft");
  judge("W3 added TTFT ≤ 1 ms", tt.n ? tt.median <= 1 : undefined, `${shown(tt, 3, "ms")} (p50)`);
  const rss = med(samples, "router", "W3hold", "rssPeakMb");
  const failed = med(samples, "router", "W3hold", "failed");
  judge(
    "W3 1,000 streams at ≤ 150 MB RSS",
    holdStreams < 1000 ? undefined : rss.n ? rss.median <= 150 && failed.median === 0 : undefined,
    `${holdStreams} streams, peak ${shown(rss, 1, "MiB")}, failed ${shown(failed, 0, "")}`.trimEnd(),
    holdStreams < 1000 ? "not assessed (fewer than 1,000 streams in this run)" : "not measured",
  );
  const w5 = med(samples, "router", "W5", "delayP99Ms");
  const leaks = med(samples, "router", "W5", "leaks");
  judge(
    "W5 p99 ≤ 50 ms, zero leaks",
    w5.n && leaks.n ? w5.median <= 50 && leaks.max === 0 : undefined,
    `p99 ${shown(w5, 2, "ms")}, leaks (max over rounds) ${leaks.n ? leaks.max : "not run"}`,
  );
  return out;
}

export interface ReportInput {
  title: string;
  machine: Record<string, string>;
  systems: { name: SystemName; status: string }[];
  samples: Sample[];
  holdStreams: number;
  notes: string[];
}

export function renderReport(input: ReportInput): string {
  const measured = input.systems.filter((s) => s.status === "ok").map((s) => s.name);
  const lines: string[] = [`## ${input.title}`, ""];
  lines.push(
    Object.entries(input.machine)
      .map(([k, v]) => `${k}: ${v}`)
      .join(" · "),
    "",
  );
  lines.push("| system | status |", "| --- | --- |");
  for (const s of input.systems) lines.push(`| ${s.name} | ${s.status} |`);
  lines.push("");
  const ratioCols = RATIOS.filter((r) => measured.includes(r.num) && measured.includes(r.den));
  lines.push(`| workload | ${measured.join(" | ")}${ratioCols.map((r) => ` | ${r.label}`).join("")} |`);
  lines.push(`| --- |${measured.map(() => " ---: |").join("")}${ratioCols.map(() => " ---: |").join("")}`);
  for (const row of ROWS) {
    const spreads = new Map(measured.map((name) => [name, spread(rowValues(input.samples, name, row))]));
    if ([...spreads.values()].every((s) => s.n === 0)) continue;
    const ratios = ratioCols.map((r) => (row.added ? "" : ratio(spreads.get(r.num)!, spreads.get(r.den)!)));
    lines.push(`| ${row.label} | ${measured.map((n) => cell(spreads.get(n)!)).join(" | ")}${ratios.map((r) => ` | ${r}`).join("")} |`);
  }
  lines.push("", "Cells: median over rounds (min–max). Added = system − direct in the same round.", "");
  const errors = input.samples.filter((s) => s.error !== undefined);
  if (errors.length > 0) {
    lines.push("Workloads that failed or could not run:", "");
    const seen = new Set<string>();
    for (const e of errors) {
      const key = `${e.system} ${e.workload}: ${e.error}`;
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(`- ${key}`);
    }
    lines.push("");
  }
  lines.push("| target | verdict | measured |", "| --- | --- | --- |");
  for (const t of evaluateTargets(input.samples, input.holdStreams)) lines.push(`| ${t.name} | ${t.verdict} | ${t.detail} |`);
  lines.push("");
  for (const n of input.notes) lines.push(`- ${n}`);
  return `${lines.join("\n")}\n`;
}
