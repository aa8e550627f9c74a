// Runs W6 for each system in turn against one engine fleet, reset to the same cold start before each
// system, and returns the per-request records, the engines' counts and the summaries.
import { join } from "node:path";
import { probe } from "../procs.js";
import { start, stop, waitUntil } from "../../lib/child.js";
import { SystemUnavailable, type ProcessContext } from "../systems.js";
import { runClients, type RequestResult } from "./clients.js";
import type { FleetStats } from "./fleet.js";
import { planRequests, w6Plan, type W6Plan } from "./plan.js";
import { summarize, type W6Outcome } from "./summary.js";
import { startW6System, type W6SystemName } from "./systems.js";

export interface W6Run {
  plan: {
    seed: number;
    size: W6Plan["size"];
    requests: number;
    durationMs: number;
    killAtMs: number;
    restartAtMs: number;
    victim: string;
    routing: Record<string, unknown>;
  };
  outcomes: (W6Outcome & { fleet?: FleetStats; results?: RequestResult[] })[];
}

async function control<T>(port: number, method: "GET" | "POST", path: string): Promise<T> {
  const r = await probe(`http://127.0.0.1:${port}${path}`, { method }, 15_000);
  if (r.status !== 200) throw new Error(`fleet ${path} answered ${r.status}: ${r.body}`);
  return JSON.parse(r.body) as T;
}

export async function runW6(
  ctx: ProcessContext,
  size: W6Plan["size"],
  seed: number,
  systems: readonly W6SystemName[],
  routing: Record<string, unknown>,
  log: (m: string) => void,
): Promise<W6Run> {
  const plan = w6Plan(seed, size);
  const fleet = start(process.execPath, ["--import", "tsx", join(ctx.repoRoot, "scripts/bench/w6/fleet.ts"), JSON.stringify(plan.engines)], {
    cwd: ctx.repoRoot,
  });
  let found: { backends: Record<string, string>; controlPort: number } | undefined;
  await waitUntil(
    fleet,
    () => {
      const m = /\{"backends":.*\}/.exec(fleet.output());
      if (m) found = JSON.parse(m[0]) as typeof found;
      return Promise.resolve(found !== undefined);
    },
    20_000,
    "W6 engine fleet",
  );
  const { backends, controlPort } = found!;
  const run: W6Run = {
    plan: {
      seed,
      size,
      requests: planRequests(plan),
      durationMs: plan.durationMs,
      killAtMs: plan.killAtMs,
      restartAtMs: plan.restartAtMs,
      victim: plan.victim,
      routing,
    },
    outcomes: [],
  };
  try {
    for (const name of systems) {
      // Every system starts from the same state: all engines up, nothing loaded, counts at zero.
      await control(controlPort, "POST", "/reset");
      let sys;
      try {
        sys = await startW6System(name, ctx, plan, backends, routing);
      } catch (e) {
        const why = e instanceof SystemUnavailable ? e.message : `failed to start: ${e instanceof Error ? e.message : String(e)}`;
        log(`W6 ${name} unavailable: ${why}`);
        run.outcomes.push({ name, status: `unavailable: ${why.replace(/\s+/g, " ").slice(0, 300)}` });
        continue;
      }
      log(
        `W6 ${name}: ${run.plan.requests} requests, ~${Math.round(plan.durationMs / 1000)} s, ${plan.victim} killed at ${plan.killAtMs / 1000} s and back at ${plan.restartAtMs / 1000} s`,
      );
      try {
        const { results, wallMs } = await runClients(plan, sys.face, {
          kill: (n) => control(controlPort, "POST", `/kill/${n}`).then(() => undefined),
          restart: (n) => control(controlPort, "POST", `/restart/${n}`).then(() => undefined),
        });
        const stats = await control<FleetStats>(controlPort, "GET", "/stats");
        run.outcomes.push({ name, status: "ok", summary: summarize(results, stats, wallMs), fleet: stats, results });
      } finally {
        await sys.stop();
      }
    }
  } finally {
    await stop(fleet.child);
  }
  return run;
}
