// One request, top to bottom. A path no face serves goes to the ops endpoints (ops/endpoints.ts);
// a face's route goes through these steps, each a module of its own:
//   1. accept        request id, route (http/routes.ts); during a drain: 503 in the face's dialect
//   2. authenticate  the client's key (auth/keys.ts), before any of the body is read
//   3. read          the body once, within limits, as JSON (http/body.ts)
//   4. parse         the face validates it and finds the model name (faces/*); a local route
//                    (model lists) is answered here from the alias views (aliases/views.ts)
//   5. resolve       model name → alias, with the key's scope: unknown and out of scope read alike
//                    (aliases/resolve.ts)
//   6. forward       pick a target, fail over, stream the answer back (proxy/forward.ts)
//   7. account       metrics and one access log line (telemetry/access.ts)
// Every error on the way is one of router/errors.ts, rendered by the face in its client's dialect.
import type { IncomingMessage, ServerResponse } from "node:http";
import { authenticate, mayUse } from "./auth/keys.js";
import { aliasViews, type AliasView } from "./aliases/views.js";
import { draining, internalError, invalidApiKey, isRouterError, type RouterError } from "./errors.js";
import type { BodyBudget, BodyHold } from "./http/body-budget.js";
import { readJson } from "./http/body.js";
import type { InFlight } from "./http/drain.js";
import { Reply } from "./http/reply.js";
import { pathOf, type Hit, type Routes } from "./http/routes.js";
import { requestId } from "./ids.js";
import { account, errorResult, type Access, type ExchangeResult } from "./telemetry/access.js";
import { logBody } from "./telemetry/body-log.js";
import { answerOther, type OpsState, type OtherAnswer } from "./ops/endpoints.js";
import type { Logger } from "./telemetry/log.js";
import { totalTimer, type Cancel } from "./cancel.js";
import type { Clock, Services } from "./proxy/call.js";
import { forward } from "./proxy/forward.js";
import { resolveModel } from "./aliases/resolve.js";
import { sessionFromHeaders } from "./routing/affinity-key.js";
import type { Table } from "./table.js";

/** What a request reads of the router (server.ts): the table and drain state as they are when it arrives. */
export interface RequestHost {
  table(): Table;
  draining(): boolean;
  ops(): OpsState;
  readonly routes: Routes;
  readonly services: Services;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly bodies: BodyBudget;
  readonly open: InFlight;
}

interface Ctx extends Hit {
  req: IncomingMessage;
  reply: Reply;
  access: Access;
  gone: Cancel;
  hold: BodyHold;
  /** Answers `Expect: 100-continue` once auth and the size checks passed (server.ts, checkContinue). */
  proceed: () => void;
}

export function handle(host: RequestHost, req: IncomingMessage, res: ServerResponse): void {
  // A request pipelined behind another has no socket until the answers before it are out (Node queues
  // its response): it starts then. Behind an answer that ended the connection (a refusal) it is not
  // served at all, instead of sent to a backend and its answer thrown away
  // (test/router/hostile/pipelining.test.ts).
  if (res.socket === null) {
    res.once("socket", () => handle(host, req, res));
    return;
  }
  // Behind an answer that already ended the connection: nobody can be answered.
  if (res.socket.writableEnded || res.socket.destroyed) {
    res.destroy();
    return;
  }
  const started = performance.now();
  const id = requestId(req.headers["x-request-id"]);
  const path = pathOf(req.url);
  const closing = host.draining();
  const hit = host.routes.find(req.method, path);
  // Everything written to the client goes through this one object (http/reply.ts).
  const face = hit?.face ?? host.routes.faceFor(path);
  const reply = new Reply(req, res, face, id, { closing });
  const access: Access = { id, face: face.name, method: req.method ?? "", path, route: host.routes.label(path, hit), started };
  if (!hit) return accountOther(host, access, answerOther(reply, access.method || "GET", path, host.ops()));
  if (closing) {
    const err = draining();
    reply.error(err);
    return account(host.logger, host.services.metrics, access, { ...errorResult(err, 0), outcome: "shutdown" });
  }
  // The request body counts against limits.maxBufferedBytes until the request is over.
  const hold = host.bodies.hold();
  const proceed = (): void => {
    if (/100-continue/i.test(req.headers.expect ?? "") && !res.headersSent) res.writeContinue();
  };
  serve(host, { ...hit, req, reply, access, gone: host.open.track(res), hold, proceed })
    .catch((err: unknown) => {
      // A bug must not take the process down or leak a stack trace to the client.
      host.logger.event("error", "internal error", { id, error: (err as Error).message });
      if (!reply.started) reply.error(internalError());
      else reply.destroy();
    })
    .finally(() => hold.release());
}

/** An ops endpoint or a path no face serves (a 404 or 405) is logged and counted like any request. */
function accountOther(host: RequestHost, access: Access, answer: OtherAnswer): void {
  if (answer.ops) account(host.logger, host.services.metrics, { ...access, face: "ops", ops: true }, { status: answer.status, outcome: "ok", attempts: 0 });
  else account(host.logger, host.services.metrics, access, errorResult(answer.error, 0));
}

async function serve(host: RequestHost, x: Ctx): Promise<void> {
  const { face, route, req, reply, access } = x;
  const { config, keys } = host.table();
  const { registry, metrics } = host.services;
  const done = (r: ExchangeResult): void => account(host.logger, metrics, access, r);
  // `logged` tells the operator what the client is not told (an alias outside the key's scope).
  const reject = (err: RouterError, logged = err.message): void => {
    reply.error(err);
    done({ ...errorResult(err, 0), error: logged });
  };

  const auth = authenticate(req.headers, keys);
  if (!auth.ok) return reject(invalidApiKey(auth.message));
  const key = auth.key;
  access.key = key?.name;

  const read = await readJson(req, {
    maxBytes: config.limits.maxBodyBytes,
    hold: x.hold,
    idleMs: config.timeouts.requestIdleMs,
    emptyOk: route.local === true,
    proceed: x.proceed,
  });
  if (read === "aborted") return done({ status: 499, outcome: "client-gone", attempts: 0 });
  if (isRouterError(read)) return reject(read);
  if (config.logging.logBodies) logBody(host.logger, { id: access.id, face: face.name, path: access.path, key: key?.name }, read.json);

  if (route.local) {
    const aliases = aliasViews(config, registry, (alias) => mayUse(key, alias));
    const resolve = (name: string): AliasView | undefined => {
      const found = resolveModel(name, config, key, face.mapModel);
      return found.ok ? aliases.find((a) => a.name === found.alias) : undefined;
    };
    const r = face.local(route, { aliases, resolve, body: read.json, param: x.param });
    reply.send(r);
    return done({ status: r.status, outcome: r.status < 400 ? "ok" : "client-error", attempts: 0 });
  }
  const parsed = face.parse(route, read.json);
  if (isRouterError(parsed)) return reject(parsed);

  const resolved = resolveModel(parsed.clientModel, config, key, face.mapModel);
  access.alias = resolved.ok ? resolved.alias : resolved.outside;
  if (!resolved.ok) return reject(resolved.error, resolved.logMessage);

  const { alias, aliasConfig } = resolved;
  const disarm = totalTimer(config.timeouts.totalMs, x.gone);
  try {
    const request = { ...parsed, alias };
    const session = sessionFromHeaders(req.headers);
    const routed = {
      id: access.id,
      face,
      request,
      alias: { name: alias, config: aliasConfig },
      config,
      reply,
      cancel: x.gone,
      startedAt: access.started,
      session,
    };
    const result = await forward(routed, host.services, host.clock);
    if (result.outcome === "client-gone") reply.destroy();
    access.stream = parsed.stream;
    done(result);
  } finally {
    disarm();
  }
}
