// Runs W8: starts the two Ollama servers once, then each system in turn from the same state (model
// loaded, caches empty), plays the same agents' script, and matches each turn to its engine's
// cache-slot line for the tokens really evaluated.
import { join } from "node:path";
import { cachedOllama } from "../../e2e/ollama.js";
import { SystemUnavailable, type ProcessContext } from "../systems.js";
import { runAgents } from "./clients.js";
import { emptyCaches, logOffsets, prefillSeconds, slotLines, startW8Servers } from "./engines.js";
import { w8Plan, w8Script, type W8Plan } from "./plan.js";
import { matchEvaluated, summarizeW8, type W8Outcome } from "./summary.js";
import { startW8System, type W8SystemName } from "./systems.js";
import type { TurnResult } from "./clients.js";

export interface W8Run {
  plan: W8Plan;
  calibration: string;
  outcomes: (W8Outcome & { results?: TurnResult[] })[];
}

export async function runW8(
  ctx: ProcessContext,
  size: W8Plan["size"],
  seed: number,
  systems: readonly W8SystemName[],
  log: (m: string) => void,
): Promise<W8Run> {
  const plan = w8Plan(seed, size);
  const script = w8Script(plan);
  // Only a build `npm run e2e` already made: building Ollama takes far longer than a bench run.
  const binary = cachedOllama()?.binary;
  if (binary === undefined) {
    const why = "no cached Ollama build (npm run e2e builds it)";
    log(`W8 unavailable: ${why}`);
    return { plan, calibration: "", outcomes: systems.map((name) => ({ name, status: `unavailable: ${why}` })) };
  }
  log(`W8: starting ${plan.engines.length} Ollama servers`);
  const servers = await startW8Servers(binary, join(ctx.workDir, "w8"), plan);
  const run: W8Run = { plan, calibration: "", outcomes: [] };
  try {
    const first = servers[0];
    const sec = first ? await prefillSeconds(first, 2_000, seed) : 1;
    run.calibration = `A 2,000-token prompt took ${sec.toFixed(2)} s to evaluate here (the engine's prompt_eval_duration); tool time between turns ${plan.think[0]}–${plan.think[1]}× that. ${
      servers.every((s) => s.cpu !== undefined)
        ? `Each server on a CPU of its own (${servers.map((s) => `${s.name} on ${s.cpu}`).join(", ")}).`
        : "The servers share the CPUs."
    }`;
    log(`W8: ${run.calibration}`);
    for (const name of systems) {
      await emptyCaches(servers);
      let sys;
      try {
        sys = await startW8System(name, ctx, servers);
      } catch (e) {
        const why = e instanceof SystemUnavailable ? e.message : `failed to start: ${e instanceof Error ? e.message : String(e)}`;
        log(`W8 ${name} unavailable: ${why}`);
        run.outcomes.push({ name, status: `unavailable: ${why.replace(/\s+/g, " ").slice(0, 300)}` });
        continue;
      }
      log(`W8 ${name}: ${plan.agents} agents, ${plan.agents * plan.conversationsPerAgent * plan.turns} turns`);
      try {
        const from = logOffsets(servers);
        const { results, wallMs } = await runAgents(sys.face, plan, script, sec * 1000);
        const matched = matchEvaluated(results, slotLines(servers, from));
        run.outcomes.push({ name, status: "ok", summary: summarizeW8(results, matched, await sys.affinity(), wallMs), results });
      } finally {
        await sys.stop();
      }
    }
  } finally {
    await Promise.all(servers.map((s) => s.server.stop()));
  }
  return run;
}
