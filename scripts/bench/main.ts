// `npm run bench`: starts the fake upstream and every system under test, runs the workloads in
// interleaved rounds (system order rotated each round), and writes raw JSON plus a Markdown
// report to the results directory. Every child process is ended on exit, error or Ctrl-C.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HELP, parseArgs, roundOrder } from "./args.js";
import type { Options } from "./args.js";
import { machineFacts } from "./machine.js";
import { killAll, runMain, start, waitUntil } from "../lib/child.js";
import { probe } from "./procs.js";
import { renderReport } from "./report.js";
import type { Sample } from "./report.js";
import { PEERS, SYSTEMS, SystemUnavailable } from "./systems.js";
import type { RunningSystem, SystemContext, SystemName, Upstream } from "./systems.js";
import { WORKLOADS, runWorkload } from "./workloads.js";
import type { WorkloadName } from "./workloads.js";
import { runWrk } from "./wrk.js";
import { runW6, type W6Run } from "./w6/run.js";
import { renderW6 } from "./w6/summary.js";
import { W6_PEERS, w6SystemsFor } from "./w6/systems.js";
import { runW8, type W8Run } from "./w8/run.js";
import { renderW8 } from "./w8/summary.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "../..");

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

async function startUpstream(workers: number): Promise<Upstream> {
  const started = start(process.execPath, ["--import", "tsx", join(here, "upstream.ts"), "--workers", String(workers)], { cwd: repoRoot });
  let found: { port: number; controlPort: number } | undefined;
  await waitUntil(
    started,
    () => {
      const m = /\{"port":(\d+),"controlPort":(\d+)\}/.exec(started.output());
      if (m) found = { port: Number(m[1]), controlPort: Number(m[2]) };
      return Promise.resolve(found !== undefined);
    },
    20_000,
    "fake upstream",
  );
  return { ...found!, pid: started.child.pid! };
}

/**
 * Workloads that leave a system's heap grown (W7: tens of MB per request) run after all the rounds
 * of the others, so they do not raise the RSS those measure.
 */
const LAST: readonly WorkloadName[] = ["W7"];

function workloadsFor(opts: Options, last: boolean): WorkloadName[] {
  return WORKLOADS.filter((w) => {
    if (!opts.workloads.includes(w) || LAST.includes(w) !== last) return false;
    if (w === "W2c32") return opts.plan.w2Connections.includes(32);
    if (w === "W2c128") return opts.plan.w2Connections.includes(128);
    return true;
  });
}

/** Writes the raw JSON and the Markdown report into the results directory; returns the file stem. */
function writeResults(opts: Options, startedAt: Date, raw: Record<string, unknown>, report: string): string {
  const outDir = resolve(repoRoot, opts.out);
  mkdirSync(outDir, { recursive: true });
  const stem = join(outDir, `${startedAt.toISOString().replace(/[:.]/g, "-")}-${opts.quick ? "quick" : "full"}`);
  writeFileSync(`${stem}.json`, JSON.stringify(raw, null, 2));
  writeFileSync(`${stem}.md`, report);
  process.stdout.write(report);
  log(`raw results: ${stem}.json`);
  return stem;
}

/** Systems that could speak Anthropic Messages; the others are not asked for W4 at all. */
const TRANSLATORS: readonly SystemName[] = ["router", "litellm", "olla"];

/** W7 (large bodies) runs for the floors and the router; the peers would take most of the run's time and memory for it. */
const BIG_BODY_SYSTEMS: readonly SystemName[] = ["direct", "nginx", "router"];

async function main(): Promise<number> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n\n${HELP}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    execFileSync("wrk", ["-v"], { stdio: "ignore" });
  } catch (e) {
    // `wrk -v` exits 1 after printing its version; only a missing binary is an error.
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      process.stderr.write("wrk is not installed: it is the load generator (Debian: apt-get install -y wrk)\n");
      return 2;
    }
  }
  // A hard bound on the whole run, whatever hangs.
  // W8 runs real engines: its own allowance on top.
  const capMs = (opts.quick ? 90_000 : 60 * 60_000) + (opts.w8 === "off" ? 0 : opts.quick ? 20 * 60_000 : 60 * 60_000);
  const watchdog = setTimeout(() => {
    log(`run exceeded ${capMs / 1000} s; stopping`);
    killAll();
    process.exit(1);
  }, capMs);
  watchdog.unref();

  // Said once, in the log and the report, so a table without peers is not read as peers that failed.
  const peersSkipped = opts.peers ? undefined : `peer gateways skipped (${PEERS.join(", ")}; W6: ${W6_PEERS.join(", ")}): --peers runs them`;
  if (peersSkipped) log(peersSkipped);

  const startedAt = new Date();
  const workDir = mkdtempSync(join(tmpdir(), "aistack-bench-"));
  const cacheDir = opts.cacheDir ?? join(homedir(), ".cache/aistack/bench");
  mkdirSync(cacheDir, { recursive: true });
  const title = `Benchmark ${opts.quick ? "(quick)" : "(full)"} — ${startedAt.toISOString()}`;
  const machine = machineFacts();
  const w6Systems = opts.w6 === "off" ? [] : (opts.w6Systems ?? w6SystemsFor(opts.systems));
  const w6Phase = async (): Promise<W6Run | undefined> =>
    w6Systems.length === 0
      ? undefined
      : runW6(
          { repoRoot, cacheDir, workDir, install: opts.install, routerDist: opts.routerDist, routerProfDir: undefined },
          opts.quick ? "quick" : "full",
          opts.seed,
          w6Systems,
          opts.w6Routing,
          log,
        );
  // W6 fails the run when the router could not run it or failed before a first token with a healthy target left.
  const w6Failed = (w6: W6Run | undefined): boolean =>
    w6 !== undefined && w6.outcomes.some((o) => o.name === "router" && (o.status !== "ok" || (o.summary?.failedBefore ?? 0) > 0));
  const w8Phase = async (): Promise<W8Run | undefined> =>
    opts.w8 === "off" || opts.w8Systems.length === 0
      ? undefined
      : runW8(
          { repoRoot, cacheDir, workDir, install: opts.install, routerDist: opts.routerDist, routerProfDir: undefined },
          opts.quick ? "quick" : "full",
          opts.seed,
          opts.w8Systems,
          log,
        );
  // W8 fails the run when the router failed a turn; its targets are reported, as W6's are.
  const w8Failed = (w8: W8Run | undefined): boolean =>
    w8 !== undefined && w8.outcomes.some((o) => o.name === "router" && o.status === "ok" && (o.summary?.failed ?? 0) > 0);
  const w8Report = (w8: W8Run | undefined): string => (w8 ? `\n${renderW8(w8.plan, w8.calibration, w8.outcomes)}` : "");
  const head = (): string =>
    [
      `## ${title}`,
      "",
      Object.entries(machine)
        .map(([k, v]) => `${k}: ${v}`)
        .join(" · "),
      "",
      ...(peersSkipped ? [peersSkipped, ""] : []),
      "",
    ].join("\n");
  if (opts.w8 === "only") {
    const w8 = await w8Phase();
    writeResults(opts, startedAt, { startedAt, options: opts, machine, w8 }, head() + (w8 ? w8Report(w8) : "W8: no system to run\n"));
    clearTimeout(watchdog);
    return w8 === undefined || w8Failed(w8) ? 1 : 0;
  }
  if (opts.w6 === "only") {
    const w6 = await w6Phase();
    writeResults(opts, startedAt, { startedAt, options: opts, machine, w6 }, head() + (w6 ? renderW6(w6.plan, w6.outcomes) : "W6: no system to run\n"));
    clearTimeout(watchdog);
    return w6 === undefined || w6Failed(w6) ? 1 : 0;
  }
  log(`starting the fake upstream (${opts.upstreamWorkers} worker(s))`);
  const upstream = await startUpstream(opts.upstreamWorkers);
  const ctx: SystemContext = {
    repoRoot,
    cacheDir,
    workDir,
    upstream,
    install: opts.install,
    routerDist: opts.routerDist,
    routerProfDir: opts.routerProfDir,
    ollaVersion: opts.ollaVersion,
  };

  const statuses: { name: SystemName; status: string }[] = [];
  const running: RunningSystem[] = [];
  for (const name of opts.systems) {
    log(`starting ${name}`);
    try {
      const sys = await SYSTEMS[name](ctx);
      running.push(sys);
      statuses.push({ name, status: "ok" });
      if (typeof sys.anthropic === "string" && TRANSLATORS.includes(name)) log(`${name}: W4 unavailable (${sys.anthropic})`);
    } catch (e) {
      const why = e instanceof SystemUnavailable ? e.message : `failed to start: ${e instanceof Error ? e.message : String(e)}`;
      statuses.push({ name, status: `unavailable: ${why.replace(/\s+/g, " ").replace(/\|/g, "/").slice(0, 300)}` });
      log(`${name} unavailable: ${why}`);
    }
  }

  // Warm-up: JIT and connection pools, so the first measured round is not the cold one.
  for (const sys of running) {
    await runWrk({ url: sys.openai.url, headers: sys.openai.headers, body: sys.openai.body("bench", false) }, { connections: 8, durationS: 1 }).catch(
      (e: unknown) => log(`${sys.name} warm-up failed: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  const samples: Sample[] = [];
  const phases: { workloads: readonly WorkloadName[]; systems: RunningSystem[] }[] = [
    { workloads: workloadsFor(opts, false), systems: running },
    { workloads: workloadsFor(opts, true), systems: running.filter((s) => BIG_BODY_SYSTEMS.includes(s.name)) },
  ];
  for (const phase of phases) {
    if (phase.workloads.length === 0) continue;
    for (let round = 0; round < opts.plan.rounds; round++) {
      const order = roundOrder(phase.systems, round);
      log(`round ${round + 1}/${opts.plan.rounds} of ${phase.workloads.join(", ")}: ${order.map((s) => s.name).join(", ")}`);
      for (const w of phase.workloads) {
        for (const sys of order) {
          const isW4 = w.startsWith("W4");
          if (isW4 && !TRANSLATORS.includes(sys.name)) continue;
          try {
            const metrics = await runWorkload(w, sys, upstream, opts.plan, round);
            samples.push({ round, system: sys.name, workload: w, metrics });
          } catch (e) {
            samples.push({ round, system: sys.name, workload: w, metrics: {}, error: e instanceof Error ? e.message.slice(0, 300) : String(e) });
          }
        }
      }
    }
  }

  const upstreamStats = await probe(`http://127.0.0.1:${upstream.controlPort}/stats`, {})
    .then((r) => JSON.parse(r.body) as unknown)
    .catch(() => null);
  for (const sys of running) await sys.stop();

  const notes = [
    `load generator: wrk (1 thread; W1 one connection, W2 32/128 connections, ${opts.plan.w1Seconds}/${opts.plan.w2Seconds} s per run); streams and disconnects: the harness's own client (node:http, monotonic clock)`,
    `W3: ${opts.plan.ttftStreams} sequential streams of ${opts.plan.ttftChunks} chunks paced ${opts.plan.ttftPaceMs} ms; ${opts.plan.holdStreams} concurrent streams of ${opts.plan.holdChunks} chunks paced ${opts.plan.holdPaceMs} ms, RSS of the system's process tree sampled every 100 ms (direct = the upstream's)`,
    `W5: ${opts.plan.disconnects} streams dropped after their first token; delay = upstream close − client close on the shared monotonic clock; a leak is an upstream stream still open, or run to its end, ${opts.plan.settleMs} ms later`,
    `W7: ${opts.plan.bigBodies} concurrent non-streamed requests of ${opts.plan.bigBodyMb} MB each (${BIG_BODY_SYSTEMS.join(", ")}), after the rounds of the other workloads; RSS of the process tree sampled every 50 ms; the router with its default limits (maxBodyBytes 64 MiB, maxBufferedBytes 128 MiB)`,
    `rounds: ${opts.plan.rounds}, system order rotated each round; fake upstream workers: ${opts.upstreamWorkers}`,
    ...(peersSkipped ? [peersSkipped] : []),
  ];
  const directRps = samples.filter((s) => s.system === "direct" && s.workload === "W2c32" && !s.error).map((s) => s.metrics.rps ?? 0);
  const routerRps = samples.filter((s) => s.system === "router" && s.workload === "W2c32" && !s.error).map((s) => s.metrics.rps ?? 0);
  if (directRps.length > 0 && routerRps.length > 0) {
    const ratio = Math.max(...directRps) / Math.max(...routerRps);
    notes.push(`upstream headroom: direct W2 c=32 is ${ratio.toFixed(1)}× the router's rate (${ratio >= 5 ? "≥" : "below the wished"} 5×)`);
  }

  const w6 = await w6Phase();
  const w8 = await w8Phase();
  const report =
    renderReport({ title, machine, systems: statuses, samples, holdStreams: opts.plan.holdStreams, notes }) +
    (w6 ? `\n${renderW6(w6.plan, w6.outcomes)}` : "") +
    w8Report(w8);
  writeResults(opts, startedAt, { startedAt, options: opts, machine, systems: statuses, upstream: upstreamStats, samples, w6, w8 }, report);
  clearTimeout(watchdog);
  const failures = samples.filter((s) => s.error !== undefined && (s.system === "direct" || (s.system === "router" && !s.workload.startsWith("W4"))));
  return failures.length > 0 || !statuses.some((s) => s.name === "router" && s.status === "ok") || w6Failed(w6) || w8Failed(w8) ? 1 : 0;
}

// Every child is ended on exit, failure or Ctrl-C (scripts/lib/child.ts).
runMain(main, (msg) => process.stderr.write(`bench ${msg}\n`));
