// The router's own endpoints (GET and HEAD): /healthz, /readyz, /status (HTML), /status.json and
// /metrics; and 404/405 for every path no face serves, in the dialect the path suggests.
import { usableTarget } from "../aliases/usable.js";
import type { RouterConfig } from "../config/schema.js";
import { methodNotAllowed, unknownPath, type RouterError } from "../errors.js";
import type { BackendRegistry } from "../backends/registry.js";
import { json } from "../http/answer.js";
import type { Rendered } from "../faces/types.js";
import type { BodyBudget } from "../http/body-budget.js";
import type { Reply } from "../http/reply.js";
import type { Routes } from "../http/routes.js";
import type { RouterMetrics } from "../telemetry/metrics.js";
import { statusSnapshot, type ConfigInfo } from "./status.js";
import { renderStatusHtml } from "./status-html.js";
import { scrapeBackends, takeWarmLoads } from "./scrape.js";

export const OPS_PATHS = ["/healthz", "/readyz", "/status.json", "/status", "/metrics"];

/** What the ops endpoints report on, as it is at the time of the request. */
export interface OpsState {
  config: RouterConfig;
  registry: BackendRegistry;
  metrics: RouterMetrics;
  info: ConfigInfo;
  draining: boolean;
  routes: Routes;
  bodies: BodyBudget;
}

/** What an answer outside the faces came to, for the access line: an ops endpoint's status, or the refusal. */
export type OtherAnswer = { ops: true; status: number } | { ops: false; error: RouterError };

function send(reply: Reply, r: Rendered): OtherAnswer {
  reply.send(r);
  return { ops: true, status: r.status };
}

/** `reply` speaks the dialect of the face whose paths `path` is closest to. */
export function answerOther(reply: Reply, method: string, path: string, s: OpsState): OtherAnswer {
  if (method === "GET" || method === "HEAD") {
    switch (path) {
      case "/healthz":
        return send(reply, json(200, { status: "ok" }));
      case "/readyz": {
        const up = s.registry.all().filter((b) => b.health === "up");
        // Ready when some alias can be served (aliases/usable.ts; test/router/ops/ops.test.ts), not merely some backend up.
        const now = Date.now();
        const usable = Object.entries(s.config.aliases).filter(([, a]) => usableTarget(a, s.registry, now) !== undefined);
        // A router whose body budget refuses requests is no place to send more (test/router/http/body-arrival.test.ts).
        const refusing = s.bodies.refusing;
        const ready = usable.length > 0 && !s.draining && !refusing;
        const reason = s.draining
          ? "draining"
          : usable.length === 0
            ? "no alias has a usable target"
            : refusing
              ? "refusing request bodies: limits.maxBufferedBytes is in use"
              : undefined;
        const body = {
          ready,
          draining: s.draining,
          backendsUp: up.map((b) => b.name),
          aliasesUsable: usable.map(([name]) => name),
          ...(reason ? { reason } : {}),
        };
        return send(reply, json(ready ? 200 : 503, body));
      }
      case "/status.json":
        takeWarmLoads(s.metrics, s.registry);
        return send(reply, json(200, statusSnapshot(s.config, s.registry, s.info, s.draining, Date.now(), s.metrics.recent.snapshot())));
      case "/status": {
        takeWarmLoads(s.metrics, s.registry);
        const html = renderStatusHtml(statusSnapshot(s.config, s.registry, s.info, s.draining, Date.now(), s.metrics.recent.snapshot()));
        return send(reply, { status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body: html });
      }
      case "/metrics":
        scrapeBackends(s.metrics, s.registry, s.config);
        void s.metrics.registry.metrics().then((text) => reply.send({ status: 200, headers: { "content-type": s.metrics.registry.contentType }, body: text }));
        return { ops: true, status: 200 };
    }
  }
  const allow = s.routes.allowed.header(path);
  if (allow === undefined) {
    const error = unknownPath(path);
    reply.error(error);
    return { ops: false, error };
  }
  const error = methodNotAllowed(method, path, allow);
  reply.error(error, { allow });
  return { ops: false, error };
}
