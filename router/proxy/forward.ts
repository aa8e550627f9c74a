// One client request through its alias's targets, the failover loop: pick an order, then make one
// attempt per target (attempt.ts: a slot, the face's plan, the call, its judgement); commit to the
// first answer that starts, or fail over — at most `retries` more backends, all within one first-byte
// deadline. After the first byte a failure ends the response with an in-band error.
import { aliasFirstByteTimeout, noBackend } from "../errors.js";
import { errorResult, stoppedResult, type ExchangeResult } from "../telemetry/access.js";
import { attempt, type Attempt } from "./attempt.js";
import { shareOfDeadline } from "./deadline.js";
import type { Clock, Routed, Services } from "./call.js";
import { candidateViews } from "../routing/candidates.js";
import { orderTargets, type CandidateView } from "../routing/pick.js";
import { affinityApplies, withAffinity } from "../routing/affinity.js";
import { conversationKey } from "../routing/affinity-key.js";

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
  // How the loop ended, and the target that ended it; written to the client once, below.
  let end: Attempt = { kind: "next", error: noBackend(r.alias.name) };
  let served: { backend: string; model: string } | undefined;
  try {
    for (let i = 0; i < order.length && sent <= config.retries.max; i++) {
      const c = order[i] as CandidateView;
      if (r.cancel.aborted) {
        end = { kind: "gone", sent: false };
        break;
      }
      const remaining = deadline - clock.now();
      if (remaining <= 0) {
        end = { kind: "next", error: aliasFirstByteTimeout(r.alias.name, firstByteMs) };
        break;
      }
      const b = s.registry.get(c.backend);
      if (!b) continue;
      const share = shareOfDeadline(remaining, sent + 1, order.length - i, config.retries.max);
      end = await attempt(r, s, clock, { b, index: c.index, model: c.model, warmth: c.warmth, firstByteMs: share, attemptNo: sent + 1, affinityKey: key });
      served = { backend: b.name, model: c.model };
      // A full queue, or a target the face skips (its context is too small), costs no retry: nothing was sent.
      if (end.kind === "busy" || end.kind === "skip") continue;
      if (end.kind === "gone" ? end.sent : end.kind !== "local") sent++;
      if (end.kind !== "next") break;
    }
  } finally {
    r.reply.stopKeepAlive();
  }
  switch (end.kind) {
    case "committed":
      return end.result;
    case "local": {
      // The face answered from what the backend told it (count_tokens from its tokenizer).
      r.reply.send(end.answer, served);
      const status = end.answer.status;
      return { status, outcome: status < 400 ? "ok" : "client-error", ...served, attempts: sent };
    }
    case "gone":
      // The client left (nobody to tell), or the router stopped the request (say why).
      r.reply.stop(r.cancel.stop);
      return stoppedResult(r.cancel.stop, sent);
    default:
      // An error before any content: a proper status if the head is not out yet, in-band otherwise.
      r.reply.error(end.error);
      return errorResult(end.error, sent, end.kind === "final" ? served : undefined);
  }
}
