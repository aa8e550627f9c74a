// One client request through its alias's targets, the failover loop: pick an order, then for each
// target let the face plan the call, wait for a slot, and make one attempt (attempt.ts); commit to the
// first answer that starts, or fail over — at most `retries` more backends, all within one
// first-byte deadline. After the first byte a failure ends the response with an in-band error.
import { isResident } from "../backends/warmth.js";
import { aliasFirstByteTimeout, backendFull, noBackend, type RouterError } from "../errors.js";
import { isUpstreamPlan } from "../faces/types.js";
import { beginTrial, endTrial } from "../health/passive.js";
import { probeIO } from "../health/probe.js";
import { attempt, type Attempt } from "./attempt.js";
import { batchFor, candidateViews } from "./candidates.js";
import type { ExchangeResult } from "../telemetry/access.js";
import { fail, stopped, track, type Exchange } from "./exchange.js";
import { orderTargets, type CandidateView } from "./pick.js";

export async function forward(x: Exchange): Promise<ExchangeResult> {
  const { config, aliasConfig } = x;
  const firstByteMs = aliasConfig.firstByteTimeoutMs ?? config.timeouts.firstByteMs;
  const deadline = x.now() + firstByteMs;
  const views = candidateViews(aliasConfig, x.registry, x.now(), config);
  const order = orderTargets(views, config.routing.policy);
  if (x.req.stream) x.reply.keepAlive(x.req, config.timeouts.keepAliveMs);
  let sent = 0;
  let lastError: RouterError = noBackend(x.alias);
  try {
    for (let i = 0; i < order.length; i++) {
      const c = order[i] as CandidateView;
      if (sent > config.retries.max) break;
      if (x.signal.aborted) return stopped(x, sent);
      const remaining = deadline - x.now();
      if (remaining <= 0) {
        lastError = aliasFirstByteTimeout(x.alias, firstByteMs);
        break;
      }
      const b = x.registry.get(c.backend);
      if (!b) continue;
      const target = aliasConfig.targets[c.index];
      const contextLength = b.contextLength(c.model, target?.contextLength);
      const planned = await x.face.plan(
        x.req,
        { backend: b.name, engine: b.config.engine, model: c.model, contextLength, anthropic: b.config.anthropic, version: b.version },
        probeIO(b, Math.max(config.health.timeoutMs, 5_000)),
      );
      if (x.signal.aborted) return stopped(x, sent);
      if (!isUpstreamPlan(planned)) {
        if ("local" in planned) {
          x.reply.send(planned.local, { backend: b.name, model: c.model });
          const status = planned.local.status;
          return { status, outcome: status < 400 ? "ok" : "client-error", backend: b.name, model: c.model, attempts: sent };
        }
        // This target cannot take the request (e.g. its context is too small): the next one may.
        lastError = planned.skip;
        continue;
      }
      const slot = await b.slots.acquire(x.signal, batchFor(b, c.model, config));
      if (slot === "aborted") return stopped(x, sent);
      if (slot === "full" || slot === "timeout") {
        // A full queue spills to the next target without costing a retry: nothing was sent.
        track(x, b, "busy");
        lastError = backendFull(b.name, slot);
        continue;
      }
      if (sent > 0) x.metrics.retries.inc({ alias: x.alias });
      sent++;
      // Judged now, not when ranked: the request may have waited in the queue while models came and went.
      const coldLoad = c.warmth !== "unknown" && !isResident(b, c.model, config);
      // The request goes out now: on an engine that loads on demand, its model becomes resident.
      if (!b.adapter.servedMeansLoaded) b.residency.record(c.model, x.now());
      const trial = beginTrial(b.passive, x.now());
      let a: Attempt;
      try {
        // The deadline is shared fairly by the attempts still possible, so a hung first backend leaves time for the next.
        const left = Math.min(config.retries.max + 2 - sent, order.length - i);
        a = await attempt(x, { b, model: c.model, plan: planned, firstByteMs: remaining / Math.max(1, left), attemptNo: sent, coldLoad });
      } finally {
        slot();
        if (trial) endTrial(b.passive);
      }
      if (a.kind === "committed") return a.result;
      if (a.kind === "gone") return stopped(x, sent);
      if (a.kind === "final") return fail(x, a.error, sent, a.backend, a.model);
      lastError = a.error;
    }
    return fail(x, lastError, sent);
  } finally {
    x.reply.stopKeepAlive();
  }
}
