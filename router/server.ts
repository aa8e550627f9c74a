// The router's request path, top to bottom: accept → authenticate → parse once and resolve the alias →
// pick a target and forward (proxy/forward.ts) → stream back → account (metrics, one log line).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { authenticate, compileKeys, mayUse, type KeyEntry } from "./auth/keys.js";
import { visible, visibleAliases } from "./auth/scope.js";
import {
  draining,
  internalError,
  invalidApiKey,
  isRouterError,
  methodNotAllowed,
  nestedTooDeep,
  notJson,
  requestTooLarge,
  routerBusy,
  unknownModel,
  unknownPath,
  type RouterError,
} from "./errors.js";
import type { ConfigProblem, RouterConfig } from "./config/schema.js";
import type { ConfigWatcherHandlers } from "./config/watch.js";
import { openaiFace } from "./faces/openai/index.js";
import type { Face, FaceRoute } from "./faces/types.js";
import { StateChanges } from "./health/changes.js";
import { Prober } from "./health/probe.js";
import { BackendRegistry } from "./backends/registry.js";
import { aliasViews } from "./backends/views.js";
import { Logger, type LogSink } from "./ops/log.js";
import { announceBodyLogging, logBody } from "./ops/body-log.js";
import { RouterMetrics } from "./ops/metrics.js";
import { renderStatusHtml, statusSnapshot, type ConfigInfo } from "./ops/status.js";
import { Cancel, shutdown, stopLater, totalTimeout } from "./http/cancel.js";
import { BodyBudget, type BodyHold } from "./http/body-budget.js";
import { FLUSH_MS, InFlight } from "./http/drain.js";
import { AllowedMethods } from "./http/allow.js";
import { newRequestId } from "./ids.js";
import { forward, type ExchangeResult } from "./proxy/forward.js";
import { Reply } from "./http/reply.js";
import { json, send, sendUnread } from "./http/answer.js";
import { nestedDeeperThan, readBody } from "./http/body.js";

export interface RouterOptions {
  config: RouterConfig;
  /** Where the config came from, shown on /status. */
  source?: string;
  /** Faces in addition to OpenAI's (Anthropic, Ollama). */
  faces?: readonly Face[];
  logSink?: LogSink;
  random?: () => number;
}

/** One immutable routing table; a reload swaps the whole object, in-flight requests keep theirs. */
interface Table {
  config: RouterConfig;
  keys: KeyEntry[];
}

interface Hit {
  face: Face;
  route: FaceRoute;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** The ops endpoints (GET and HEAD), answered by handleOther. */
const OPS_PATHS = ["/healthz", "/readyz", "/status.json", "/status", "/metrics"];
/** Far beyond any real request (tool schemas nest a few dozen levels at most). */
const MAX_JSON_DEPTH = 256;

export class Router {
  readonly registry = new BackendRegistry();
  readonly metrics = new RouterMetrics();
  readonly server: Server;
  readonly logger: Logger;
  private table: Table;
  private readonly info: ConfigInfo;
  private readonly prober: Prober;
  private readonly changes: StateChanges;
  /** Request bodies held at once (limits.maxBufferedBytes). */
  readonly bodies: BodyBudget;
  private readonly faces: Face[];
  private readonly routes = new Map<string, Hit>();
  private readonly allowed = new AllowedMethods();
  private readonly random: () => number;
  private readonly open = new InFlight();
  private draining = false;
  /** The address the listener is bound to; a reload never changes it. */
  private serving: { host: string; port: number } | undefined;

  constructor(opts: RouterOptions) {
    const cfg = opts.config;
    this.random = opts.random ?? Math.random;
    this.logger = new Logger(cfg.logging.level, opts.logSink);
    this.faces = [openaiFace, ...(opts.faces ?? [])];
    for (const face of this.faces) for (const r of face.routes) this.routes.set(`${r.method} ${r.path}`, { face, route: r });
    for (const { route } of this.routes.values()) this.allowed.add(route.method, route.path);
    for (const p of OPS_PATHS) this.allowed.add("GET", p);
    this.table = { config: cfg, keys: compileKeys(cfg.apiKeys) };
    this.info = { version: 1, loadedAt: Date.now(), source: opts.source, rejected: undefined };
    this.changes = new StateChanges(this.logger);
    this.bodies = new BodyBudget(cfg.limits.maxBufferedBytes);
    this.prober = new Prober(cfg.health, () => this.changes.observe(this.table.config, this.registry, Date.now()));
    const { added } = this.registry.apply(cfg);
    for (const b of added) this.prober.start(b);
    this.server = createServer({ noDelay: true, keepAlive: true }, (req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 65_000;
    // Node's requestTimeout (300 s to receive a whole request) bounds slow uploads; it does not limit
    // how long an answer may stream.
    if (cfg.apiKeys.length === 0) this.logger.event("warn", "auth is OFF: no apiKeys configured, every client may use every alias");
    announceBodyLogging(this.logger, cfg.logging);
  }

  get config(): RouterConfig {
    return this.table.config;
  }

  async listen(port?: number, host?: string): Promise<string> {
    const cfg = this.table.config;
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port ?? cfg.listen.port, host ?? cfg.listen.host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    const a = this.server.address() as AddressInfo;
    this.serving = { host: a.address, port: a.port };
    const h = a.family === "IPv6" ? `[${a.address}]` : a.address;
    this.logger.event("info", "listening", { url: `http://${h}:${a.port}`, aliases: Object.keys(cfg.aliases) });
    return `http://${h}:${a.port}`;
  }

  /** Swaps in a validated config: new requests use it, in-flight ones finish on the old table. */
  reload(cfg: RouterConfig): void {
    const before = this.table.config.listen;
    if (before.host !== cfg.listen.host || before.port !== cfg.listen.port) {
      this.logger.event("warn", "listen address changes take effect on restart", { serving: this.serving ?? before, configured: cfg.listen });
    }
    const { added, retired } = this.registry.apply(cfg);
    const bodiesWereLogged = this.table.config.logging.logBodies;
    this.table = { config: cfg, keys: compileKeys(cfg.apiKeys) };
    this.info.version++;
    this.info.loadedAt = Date.now();
    this.info.rejected = undefined;
    this.logger.level = cfg.logging.level;
    this.bodies.limit = cfg.limits.maxBufferedBytes;
    announceBodyLogging(this.logger, cfg.logging, bodiesWereLogged);
    this.prober.setTiming(cfg.health);
    for (const b of retired) {
      this.prober.stop(b);
      this.metrics.forgetBackend(b.name);
      // close() lets requests already on the old pool finish.
      void b.pool.close().catch(() => undefined);
    }
    for (const b of added) this.prober.start(b);
    // Backends and aliases the new table dropped are forgotten; the ones it added are judged after their first probe.
    this.changes.observe(cfg, this.registry, Date.now());
    this.metrics.reloads.inc({ result: "ok" });
    this.logger.event("info", "config reloaded", { version: this.info.version, added: added.map((b) => b.name), retired: retired.map((b) => b.name) });
  }

  /** Records a rejected reload: the old table keeps serving and /status says why. */
  rejectReload(problems: ConfigProblem[]): void {
    this.info.rejected = { at: Date.now(), problems };
    this.metrics.reloads.inc({ result: "rejected" });
    this.logger.event("error", "config reload rejected; keeping the previous table", { problems });
  }

  /** The file is valid again and is the table in force: a rejection shown until now is over. */
  keepConfig(): void {
    if (this.info.rejected === undefined) return;
    this.info.rejected = undefined;
    this.logger.event("info", "config file valid again; the table in force is unchanged", { version: this.info.version });
  }

  /** What a ConfigWatcher on this router's file reports to. */
  configHandlers(): ConfigWatcherHandlers {
    return { onConfig: (cfg) => this.reload(cfg), onRejected: (problems) => this.rejectReload(problems), onUnchanged: () => this.keepConfig() };
  }

  /**
   * Drains: new requests and /readyz answer 503 while the requests in flight get up to drainMs to
   * finish; whatever is still open then ends with an error in its client's dialect; then the
   * listener and every connection close.
   */
  async close(drainMs = this.table.config.drainMs): Promise<void> {
    this.draining = true;
    await this.open.settled(drainMs);
    if (this.open.size > 0) {
      this.logger.event("warn", "drain time is up: ending the requests still open with an error", { open: this.open.size, drainMs });
      this.open.stopAll(shutdown(drainMs));
      await this.open.settled(FLUSH_MS);
    }
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    this.prober.stopAll();
    await Promise.all(this.registry.all().map((b) => b.pool.destroy().catch(() => undefined)));
  }

  get inFlight(): number {
    return this.open.size;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const incoming = req.headers["x-request-id"];
    const id = typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : newRequestId();
    const q = req.url?.indexOf("?") ?? -1;
    const path = q >= 0 ? (req.url ?? "/").slice(0, q) : (req.url ?? "/");
    if (this.draining) res.setHeader("connection", "close");
    const hit = this.routes.get(`${req.method === "HEAD" ? "GET" : (req.method ?? "GET")} ${path}`);
    if (!hit) {
      this.handleOther(req, res, path, id);
      return;
    }
    if (this.draining) {
      const err = draining();
      sendUnread(req, res, hit.face.renderError(err), id);
      return this.account(hit.face, req.method ?? "", path, id, started, { status: err.status, outcome: "shutdown", attempts: 0, error: err.message }, undefined, undefined);
    }
    // One listener per request does both jobs: count it out, and tell the exchange its client left.
    // req 'close' is unreliable once the body was read (nodejs/node#46666): the response's close before it finished is the signal.
    const gone = new Cancel();
    this.open.add(gone);
    res.once("close", () => {
      if (!res.writableFinished) gone.abort();
      this.open.delete(gone);
    });
    // The request body counts against limits.maxBufferedBytes until the request is over.
    const hold = this.bodies.hold();
    this.serve(hit, req, res, id, path, started, gone, hold)
      .catch((err: unknown) => {
        // A bug must not take the process down or leak a stack trace to the client.
        this.logger.event("error", "internal error", { id, error: (err as Error).message });
        if (!res.headersSent) sendUnread(req, res, hit.face.renderError(internalError()), id);
        else res.destroy();
      })
      .finally(() => hold.release());
  }

  private async serve(hit: Hit, req: IncomingMessage, res: ServerResponse, id: string, path: string, started: number, gone: Cancel, hold: BodyHold): Promise<void> {
    const table = this.table;
    const { face, route } = hit;
    const cfg = table.config;
    const auth = authenticate(req.headers, table.keys);
    const account = (r: ExchangeResult, alias?: string, stream?: boolean): void =>
      this.account(face, req.method ?? "", path, id, started, r, alias, auth.ok ? auth.key?.name : undefined, stream);
    // `logged` tells the operator what the client is not told (an alias outside the key's scope).
    const reject = (err: RouterError, alias?: string, logged = err.message): void => {
      sendUnread(req, res, face.renderError(err), id);
      account({ status: err.status, outcome: err.status >= 500 ? "upstream-error" : "client-error", attempts: 0, error: logged }, alias);
    };
    if (!auth.ok) return reject(invalidApiKey(auth.message));
    const key = auth.key;

    const body = await readBody(req, cfg.limits.maxBodyBytes, hold);
    if (body === "too-large") {
      return reject(requestTooLarge(cfg.limits.maxBodyBytes));
    }
    if (body === "busy") {
      // Read to its end and dropped (see readBody): the connection stays usable.
      return reject(routerBusy());
    }
    if (body === "aborted") return account({ status: 499, outcome: "client-gone", attempts: 0 });
    let json: unknown;
    try {
      json = route.local && body.length === 0 ? undefined : JSON.parse(body.toString("utf8"));
    } catch {
      return reject(notJson());
    }
    // Validation and re-serialisation recurse: a hostile nesting depth would overflow the stack there.
    if (nestedDeeperThan(json, MAX_JSON_DEPTH)) {
      return reject(nestedTooDeep(MAX_JSON_DEPTH));
    }
    if (cfg.logging.logBodies) logBody(this.logger, { id, face: face.name, path, key: key?.name }, json);
    if (route.local) {
      const r = face.local(route, { aliases: aliasViews(cfg, this.registry, (alias) => mayUse(key, alias)), body: json });
      send(res, r, id);
      return account({ status: r.status, outcome: r.status < 400 ? "ok" : "client-error", attempts: 0 });
    }
    const parsed = face.parse(route, json, { config: cfg, knows: (name) => visible(cfg, key, name) });
    if (isRouterError(parsed)) return reject(parsed);
    const alias = parsed.model;
    const aliasConfig = visible(cfg, key, alias) ? cfg.aliases[alias] : undefined;
    if (!aliasConfig) {
      // Outside the key's scope reads exactly as unknown; only the log says which it was.
      const err = unknownModel(parsed.clientModel ?? alias, visibleAliases(cfg, key));
      const outside = Object.hasOwn(cfg.aliases, alias);
      return reject(err, outside ? alias : undefined, outside ? `alias "${alias}" is outside the scope of key "${key?.name ?? ""}"` : err.message);
    }

    let total: NodeJS.Timeout | undefined;
    if (cfg.timeouts.totalMs > 0) total = setTimeout(stopLater, cfg.timeouts.totalMs, gone, totalTimeout(cfg.timeouts.totalMs));
    try {
      const result = await forward({
        id,
        face,
        req: parsed,
        alias,
        aliasConfig,
        config: cfg,
        registry: this.registry,
        reply: new Reply(req, res, face, id),
        signal: gone,
        metrics: this.metrics,
        startedAt: started,
        now: Date.now,
        random: this.random,
      });
      if (result.outcome === "client-gone" && !res.destroyed) res.destroy();
      account(result, alias, parsed.stream);
    } finally {
      clearTimeout(total);
    }
  }

  private account(face: Face, method: string, path: string, id: string, started: number, r: ExchangeResult, alias: string | undefined, key: string | undefined, stream?: boolean): void {
    const ms = performance.now() - started;
    const backend = r.backend ?? "none";
    this.metrics.countRequest(face.name, alias ?? "none", backend, r.status);
    if (alias !== undefined) this.metrics.observeDuration(alias, backend, ms / 1000);
    const level = r.status >= 500 ? "error" : r.outcome === "ok" || r.outcome === "client-gone" ? "info" : "warn";
    if (!this.logger.enabled(level)) return;
    this.logger.request({
      ts: new Date().toISOString(),
      level,
      msg: "request",
      id,
      face: face.name,
      method,
      path,
      ...(alias !== undefined ? { alias } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(r.backend !== undefined ? { backend: r.backend } : {}),
      ...(r.model !== undefined ? { model: r.model } : {}),
      status: r.status,
      ...(stream !== undefined ? { stream } : {}),
      attempts: r.attempts,
      ms: Math.round(ms * 100) / 100,
      ...(r.ttfbMs !== undefined ? { ttfbMs: Math.round(r.ttfbMs * 100) / 100 } : {}),
      outcome: r.outcome,
      ...(r.error !== undefined ? { error: r.error } : {}),
    });
  }

  /** Ops endpoints, and 404/405 for everything else (in the dialect the path suggests). */
  private handleOther(req: IncomingMessage, res: ServerResponse, path: string, id: string): void {
    const method = req.method ?? "GET";
    const cfg = this.table.config;
    if (method === "GET" || method === "HEAD") {
      switch (path) {
        case "/healthz":
          return sendUnread(req, res, json(200, { status: "ok" }), id);
        case "/readyz": {
          const up = this.registry.all().some((b) => b.health === "up");
          const ready = up && !this.draining;
          return sendUnread(req, res, json(ready ? 200 : 503, { ready, draining: this.draining, backendsUp: this.registry.all().filter((b) => b.health === "up").map((b) => b.name) }), id);
        }
        case "/status.json":
          return sendUnread(req, res, json(200, statusSnapshot(cfg, this.registry, this.info, this.draining, Date.now())), id);
        case "/status":
          return sendUnread(req, res, { status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body: renderStatusHtml(statusSnapshot(cfg, this.registry, this.info, this.draining, Date.now())) }, id);
        case "/metrics":
          for (const b of this.registry.all()) this.metrics.setBackend(b.name, b.health, b.inFlight);
          void this.metrics.registry.metrics().then((text) => sendUnread(req, res, { status: 200, headers: { "content-type": this.metrics.registry.contentType }, body: text }, id));
          return;
      }
    }
    const face = this.faceFor(path);
    const allow = this.allowed.header(path);
    if (allow === undefined) return sendUnread(req, res, face.renderError(unknownPath(path)), id);
    const r = face.renderError(methodNotAllowed(method, path, allow));
    sendUnread(req, res, { ...r, headers: { ...r.headers, allow } }, id);
  }

  /** The face whose paths share the longest prefix with `path`, for errors on unknown paths. */
  private faceFor(path: string): Face {
    let best: Face = openaiFace;
    let bestLen = 0;
    for (const { face, route } of this.routes.values()) {
      // A known path with the wrong method (GET /v1/messages) belongs to the face that serves it.
      if (route.path === path) return face;
      const prefix = route.path.slice(0, route.path.lastIndexOf("/") + 1);
      if (path.startsWith(prefix) && prefix.length > bestLen) {
        best = face;
        bestLen = prefix.length;
      }
    }
    return best;
  }
}
