// One client request through its alias's targets, the failover loop: pick an order, then for each
// target let the face plan the call and make one attempt (attempt.ts: a slot, the call, its judgement);
// commit to the first answer that starts, or fail over — at most `retries` more backends, all within
// one first-byte deadline. After the first byte a failure ends the response with an in-band error.
import type { Backend } from "../backends/registry.js";
import { aliasFirstByteTimeout, noBackend, type RouterError } from "../errors.js";
import { isUpstreamPlan, type PlanResult, type Rendered } from "../faces/types.js";
import { probeIO } from "../health/probe.js";
import { errorResult, stoppedResult, type ExchangeResult } from "../telemetry/access.js";
import { attempt } from "./attempt.js";
import type { Clock, Routed, Services } from "./call.js";
import { candidateViews } from "../routing/candidates.js";
import { orderTargets, type CandidateView } from "../routing/pick.js";
import { affinityApplies, withAffinity } from "../routing/affinity.js";
import { conversationKey } from "../routing/affinity-key.js";

/**
 * The floor of a face's side call to a backend (a tokenizer for count_tokens or a context check): it
 * may take longer than a health probe, whose timeout it otherwise shares.
 */
const SIDE_CALL_MIN_TIMEOUT_MS = 5_000;

export async function forward(r: Routed, s: Services, clock: Clock): Promise<ExchangeResult> {
  const { config } = r;
  const firstByteMs = r.alias.config.firstByteTimeoutMs ?? config.timeouts.firstByteMs;
  const deadline = clock.now() + firstByteMs;
  const ranked = orderTargets(candidateViews(r.alias.config, s.registry, clock.now(), config), config.routing.policy);
  // A conversation's next turn prefers the target holding its prefix in cache (routing/affinity.ts).
  const key = affinityApplies(config, ranked.length) ? conversationKey(r.alias.name, r.request.body, r.session) : undefined;
  const { order, choice } = withAffinity(ranked, s.affinity, key, config, s.registry, clock.now(), () => JSON.stringify(r.request.body).length);
  if (choice !== "none") s.metrics.affinity.inc({ alias: r.alias.name, choice });
  if (r.request.stream) r.reply.keepAlive(r.request, config.timeouts.keepAliveMs);
  let sent = 0;
  let lastError: RouterError = noBackend(r.alias.name);
  try {
    for (let i = 0; i < order.length; i++) {
      const c = order[i] as CandidateView;
      if (sent > config.retries.max) break;
      if (r.cancel.aborted) return stopped(r, sent);
      const remaining = deadline - clock.now();
      if (remaining <= 0) {
        lastError = aliasFirstByteTimeout(r.alias.name, firstByteMs);
        break;
      }
      const b = s.registry.get(c.backend);
      if (!b) continue;
      const planned = await planFor(r, b, c);
      if (r.cancel.aborted) return stopped(r, sent);
      if (!isUpstreamPlan(planned)) {
        if ("local" in planned) return answerLocally(r, b.name, c.model, planned.local, sent);
        // This target cannot take the request (e.g. its context is too small): the next one may.
        lastError = planned.skip;
        continue;
      }
      const share = shareOfDeadline(remaining, sent + 1, order.length - i, config.retries.max);
      const a = await attempt(r, s, clock, { b, model: c.model, warmth: c.warmth, plan: planned, firstByteMs: share, attemptNo: sent + 1, affinityKey: key });
      // A full queue spills to the next target without costing a retry: nothing was sent.
      if (a.kind === "busy") {
        lastError = a.error;
        continue;
      }
      if (a.kind === "gone") return stopped(r, a.sent ? sent + 1 : sent);
      sent++;
      if (a.kind === "committed") return a.result;
      if (a.kind === "final") return failed(r, a.error, sent, { backend: b.name, model: c.model });
      lastError = a.error;
    }
    return failed(r, lastError, sent);
  } finally {
    r.reply.stopKeepAlive();
  }
}

/**
 * The share of the first-byte deadline one attempt may wait: what is left, split fairly among the
 * attempts still possible (this one included), so a hung first backend leaves time for the next.
 */
export function shareOfDeadline(remaining: number, attemptNo: number, targetsLeft: number, retriesMax: number): number {
  const left = Math.min(retriesMax + 2 - attemptNo, targetsLeft);
  return remaining / Math.max(1, left);
}

/** The face rewrites the request for this target (model name, path, dialect; or answers it, or skips it). */
function planFor(r: Routed, b: Backend, c: CandidateView): PlanResult | Promise<PlanResult> {
  const contextLength = b.contextLength(c.model, r.alias.config.targets[c.index]?.contextLength);
  const target = { backend: b.name, engine: b.config.engine, model: c.model, contextLength, anthropic: b.config.anthropic, version: b.version };
  return r.face.plan(r.request, target, probeIO(b, Math.max(r.config.health.timeoutMs, SIDE_CALL_MIN_TIMEOUT_MS)));
}

/** A face answered from what the backend told it (count_tokens from its tokenizer). */
function answerLocally(r: Routed, backend: string, model: string, answer: Rendered, attempts: number): ExchangeResult {
  r.reply.send(answer, { backend, model });
  const status = answer.status;
  return { status, outcome: status < 400 ? "ok" : "client-error", backend, model, attempts };
}

/** An error before any content: a proper status if the head is not out yet, in-band otherwise. */
function failed(r: Routed, err: RouterError, attempts: number, served?: { backend: string; model: string }): ExchangeResult {
  r.reply.error(err);
  return errorResult(err, attempts, served);
}

/** The client left (nobody to tell), or the router stopped the request (say why). */
function stopped(r: Routed, attempts: number): ExchangeResult {
  r.reply.stop(r.cancel.stop);
  return stoppedResult(r.cancel.stop, attempts);
}
