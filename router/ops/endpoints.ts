// The router's own endpoints (GET and HEAD): /healthz, /readyz, /status (HTML), /status.json and
// /metrics; and 404/405 for every path no face serves, in the dialect the path suggests.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RouterConfig } from "../config/schema.js";
import { methodNotAllowed, unknownPath } from "../errors.js";
import type { BackendRegistry } from "../health/state.js";
import { json, sendUnread } from "../http/answer.js";
import type { Routes } from "../http/routes.js";
import type { RouterMetrics } from "./metrics.js";
import { renderStatusHtml, statusSnapshot, type ConfigInfo } from "./status.js";

export const OPS_PATHS = ["/healthz", "/readyz", "/status.json", "/status", "/metrics"];

/** What the ops endpoints report on, as it is at the time of the request. */
export interface OpsState {
  config: RouterConfig;
  registry: BackendRegistry;
  metrics: RouterMetrics;
  info: ConfigInfo;
  draining: boolean;
  routes: Routes;
}

export function answerOther(req: IncomingMessage, res: ServerResponse, path: string, id: string, s: OpsState): void {
  const method = req.method ?? "GET";
  if (method === "GET" || method === "HEAD") {
    switch (path) {
      case "/healthz":
        return sendUnread(req, res, json(200, { status: "ok" }), id);
      case "/readyz": {
        const up = s.registry.all().filter((b) => b.health === "up");
        const ready = up.length > 0 && !s.draining;
        return sendUnread(req, res, json(ready ? 200 : 503, { ready, draining: s.draining, backendsUp: up.map((b) => b.name) }), id);
      }
      case "/status.json":
        return sendUnread(req, res, json(200, statusSnapshot(s.config, s.registry, s.info, s.draining, Date.now())), id);
      case "/status": {
        const html = renderStatusHtml(statusSnapshot(s.config, s.registry, s.info, s.draining, Date.now()));
        return sendUnread(req, res, { status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body: html }, id);
      }
      case "/metrics":
        for (const b of s.registry.all()) s.metrics.setBackend(b.name, b.health, b.inFlight);
        void s.metrics.registry.metrics().then((text) => sendUnread(req, res, { status: 200, headers: { "content-type": s.metrics.registry.contentType }, body: text }, id));
        return;
    }
  }
  const face = s.routes.faceFor(path);
  const allow = s.routes.allowed.header(path);
  if (allow === undefined) return sendUnread(req, res, face.renderError(unknownPath(path)), id);
  const r = face.renderError(methodNotAllowed(method, path, allow));
  sendUnread(req, res, { ...r, headers: { ...r.headers, allow } }, id);
}
