// The workloads W1–W5 against one running system. Each returns plain metrics for one round;
// comparisons (added latency, ratios) are made later, from rounds run interleaved.
import { holdStreams, disconnectOnce, postConcurrently, ttftSeries } from "./client.js";
import { probe, treeRssMb } from "./procs.js";
import { nsToMs, percentile } from "./stats.js";
import type { Face, RunningSystem, Upstream } from "./systems.js";
import { streamTarget } from "./systems.js";
import { runWrk } from "./wrk.js";
import type { StreamClose } from "./ledger.js";

export const WORKLOADS = ["W1", "W2c32", "W2c128", "W3ttft", "W3hold", "W5", "W4w1", "W4w2", "W4ttft", "W7"] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export interface Plan {
  rounds: number;
  w1Seconds: number;
  w2Seconds: number;
  w2Connections: number[];
  ttftStreams: number;
  ttftChunks: number;
  ttftPaceMs: number;
  holdStreams: number;
  holdChunks: number;
  holdPaceMs: number;
  disconnects: number;
  /** Chunks of a W5 stream: long enough that an unpropagated disconnect is still open at the check. */
  disconnectChunks: number;
  disconnectPaceMs: number;
  settleMs: number;
  /** W7: request bodies sent at once, and the size of each (MB, 10^6 bytes). */
  bigBodies: number;
  bigBodyMb: number;
}

export type Metrics = Record<string, number>;

async function nonStreaming(face: Face, connections: number, seconds: number): Promise<Metrics> {
  const r = await runWrk({ url: face.url, headers: face.headers, body: face.body("bench", false) }, { connections, durationS: seconds });
  return { rps: r.rps, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors, requests: r.requests };
}

async function ttft(face: Face, plan: Plan): Promise<Metrics> {
  const r = await ttftSeries(streamTarget(face), plan.ttftStreams, plan.ttftChunks, plan.ttftPaceMs);
  if (r.ttftMs.length === 0) throw new Error(`all ${plan.ttftStreams} streams failed`);
  return {
    ttftP50Ms: percentile(r.ttftMs, 50),
    ttftP99Ms: percentile(r.ttftMs, 99),
    gapMs: percentile(r.gapMedianMs, 50),
    failures: r.failures,
  };
}

async function hold(sys: RunningSystem, plan: Plan): Promise<Metrics> {
  const {
    result: r,
    idleMb,
    peakMb,
  } = await peakRss(sys.pid, 100, () => holdStreams(streamTarget(sys.openai), plan.holdStreams, plan.holdChunks, plan.holdPaceMs));
  if (r.completed === 0) throw new Error(`no stream of ${plan.holdStreams} completed: ${r.firstError ?? "unknown"}`);
  return { streams: plan.holdStreams, completed: r.completed, failed: r.failed, rssIdleMb: idleMb, rssPeakMb: peakMb, ttftP99Ms: percentile(r.ttftMs, 99) };
}

/** Samples the RSS of a system's process tree while `work` runs: the value before, and the peak. */
async function peakRss<T>(pid: number, everyMs: number, work: () => Promise<T>): Promise<{ result: T; idleMb: number; peakMb: number }> {
  const idleMb = treeRssMb(pid);
  let peakMb = idleMb;
  const sampler = setInterval(() => {
    peakMb = Math.max(peakMb, treeRssMb(pid));
  }, everyMs);
  try {
    const result = await work();
    peakMb = Math.max(peakMb, treeRssMb(pid));
    return { result, idleMb, peakMb };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * W7: N large non-streamed requests at once (a long context with images is tens of MB). What it
 * costs the system in memory at the peak, and how many it served (200) or refused for now (503).
 */
async function bigBodies(sys: RunningSystem, plan: Plan): Promise<Metrics> {
  const bytes = plan.bigBodyMb * 1_000_000;
  const empty = Buffer.byteLength(sys.openai.body("", false));
  const payload = Buffer.from(sys.openai.body("x".repeat(Math.max(0, bytes - empty)), false));
  const { result, idleMb, peakMb } = await peakRss(sys.pid, 50, () => postConcurrently(sys.openai.url, sys.openai.headers, payload, plan.bigBodies, 120_000));
  const ok = result.statuses.filter((s) => s === 200).length;
  const refused = result.statuses.filter((s) => s === 503).length;
  if (ok === 0)
    throw new Error(`no request of ${plan.bigBodies} × ${plan.bigBodyMb} MB was served: ${result.firstError ?? `statuses ${result.statuses.join(", ")}`}`);
  return { ok, refused, failed: plan.bigBodies - ok - refused, rssIdleMb: idleMb, rssPeakMb: peakMb, rssAddedMb: peakMb - idleMb };
}

async function lookupCloses(upstream: Upstream, ids: string[]): Promise<Record<string, StreamClose | "open" | null>> {
  const r = await probe(`http://127.0.0.1:${upstream.controlPort}/closes`, { method: "POST", body: JSON.stringify(ids) }, 5000);
  return JSON.parse(r.body) as Record<string, StreamClose | "open" | null>;
}

let trialSeq = 0;

async function disconnects(sys: RunningSystem, upstream: Upstream, plan: Plan, round: number): Promise<Metrics> {
  const target = streamTarget(sys.openai);
  const left = new Map<string, bigint>();
  let failures = 0;
  for (let i = 0; i < plan.disconnects; i++) {
    const id = `w5-${sys.name}-${round}-${++trialSeq}`;
    const d = await disconnectOnce(target, id, plan.disconnectChunks, plan.disconnectPaceMs);
    if (d.leftAtNs === undefined) failures++;
    else left.set(id, d.leftAtNs);
  }
  if (left.size === 0) throw new Error(`all ${plan.disconnects} streams failed before their first token`);
  await new Promise((r) => setTimeout(r, plan.settleMs));
  const closes = await lookupCloses(upstream, [...left.keys()]);
  const delays: number[] = [];
  let leaks = 0;
  for (const [id, at] of left) {
    const c = closes[id];
    if (c === null || c === undefined) failures++;
    else if (c === "open" || !c.aborted) leaks++;
    else delays.push(Math.max(0, nsToMs(BigInt(c.closedAtNs) - at)));
  }
  return {
    delayP50Ms: delays.length > 0 ? percentile(delays, 50) : Number.NaN,
    delayP99Ms: delays.length > 0 ? percentile(delays, 99) : Number.NaN,
    leaks,
    failures,
  };
}

/** Runs one workload once; throws when the system cannot do it at all. */
export async function runWorkload(w: WorkloadName, sys: RunningSystem, upstream: Upstream, plan: Plan, round: number): Promise<Metrics> {
  const anthropic = (): Face => {
    if (typeof sys.anthropic === "string") throw new Error(`no Anthropic face: ${sys.anthropic}`);
    return sys.anthropic;
  };
  switch (w) {
    case "W1":
      return nonStreaming(sys.openai, 1, plan.w1Seconds);
    case "W2c32":
      return nonStreaming(sys.openai, 32, plan.w2Seconds);
    case "W2c128":
      return nonStreaming(sys.openai, 128, plan.w2Seconds);
    case "W3ttft":
      return ttft(sys.openai, plan);
    case "W3hold":
      return hold(sys, plan);
    case "W5":
      return disconnects(sys, upstream, plan, round);
    case "W4w1":
      return nonStreaming(anthropic(), 1, plan.w1Seconds);
    case "W4w2":
      return nonStreaming(anthropic(), 32, plan.w2Seconds);
    case "W4ttft":
      return ttft(anthropic(), plan);
    case "W7":
      return bigBodies(sys, plan);
  }
}
