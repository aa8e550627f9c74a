// The router's lifecycle: construct (state, probes, listener), listen, reload a new table, drain and
// close. What happens to one request is request.ts.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ConfigProblem, RouterConfig } from "./config/schema.js";
import type { ConfigWatcherHandlers } from "./config/watch.js";
import { faces } from "./faces/index.js";
import { StateChanges } from "./health/changes.js";
import { Prober } from "./health/probe.js";
import { BackendRegistry } from "./backends/registry.js";
import { BodyBudget } from "./http/body-budget.js";
import { FLUSH_MS, InFlight } from "./http/drain.js";
import { Routes } from "./http/routes.js";
import { announceBodyLogging } from "./telemetry/body-log.js";
import { OPS_PATHS } from "./ops/endpoints.js";
import { Logger, type LogSink } from "./telemetry/log.js";
import { RouterMetrics } from "./telemetry/metrics.js";
import type { ConfigInfo } from "./ops/status.js";
import { shutdown } from "./cancel.js";
import { handle, type RequestHost } from "./request.js";
import { tableOf, type Table } from "./table.js";
import { Affinity } from "./routing/affinity.js";

export interface RouterOptions {
  config: RouterConfig;
  /** Where the config came from, shown on /status. */
  source?: string;
  /** The sha256 of the config file's bytes, shown on /status.json. */
  sha256?: string;
  logSink?: LogSink;
  random?: () => number;
}

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
  private readonly open = new InFlight();
  private draining = false;
  /** The address the listener is bound to, and the command-line overrides it was asked with; a reload never changes it. */
  private serving: { host: string; port: number; asked: Address; overrides: { host?: string; port?: number } } | undefined;

  constructor(opts: RouterOptions) {
    const cfg = opts.config;
    this.logger = new Logger(cfg.logging.level, opts.logSink);
    this.table = tableOf(cfg);
    this.info = { version: 1, loadedAt: Date.now(), source: opts.source, sha256: opts.sha256, rejected: undefined };
    this.changes = new StateChanges(this.logger);
    this.bodies = new BodyBudget(cfg.limits.maxBufferedBytes);
    this.prober = new Prober(cfg.health, () => this.changes.observe(this.table.config, this.registry, Date.now()));
    const { added } = this.registry.apply(cfg);
    for (const b of added) this.prober.start(b);
    const routes = new Routes(faces, OPS_PATHS);
    const host: RequestHost = {
      table: () => this.table,
      draining: () => this.draining,
      ops: () => ({
        config: this.table.config,
        registry: this.registry,
        metrics: this.metrics,
        info: this.info,
        draining: this.draining,
        routes,
        bodies: this.bodies,
      }),
      routes,
      services: { registry: this.registry, metrics: this.metrics, affinity: new Affinity() },
      clock: { now: Date.now, random: opts.random ?? Math.random },
      logger: this.logger,
      bodies: this.bodies,
      open: this.open,
    };
    // connectionsCheckingInterval: how often Node enforces headersTimeout (default 30 s).
    this.server = createServer({ noDelay: true, keepAlive: true, connectionsCheckingInterval: 1_000 }, (req, res) => handle(host, req, res));
    // With a listener, Node leaves `Expect: 100-continue` to the handler: it is answered only after
    // auth and the size checks (request.ts), so a refused upload is never invited.
    this.server.on("checkContinue", (req, res) => handle(host, req, res));
    this.server.keepAliveTimeout = 65_000;
    // A request head must arrive within timeouts.requestHeadersMs; a body that goes silent is cut by
    // timeouts.requestIdleMs (http/body.ts). Node's requestTimeout (300 s to receive a whole request)
    // still bounds slow uploads; it does not limit how long an answer may stream.
    this.server.headersTimeout = cfg.timeouts.requestHeadersMs;
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
    const overrides = { ...(host !== undefined ? { host } : {}), ...(port !== undefined ? { port } : {}) };
    this.serving = { host: a.address, port: a.port, asked: { host: host ?? cfg.listen.host, port: port ?? cfg.listen.port }, overrides };
    const h = a.family === "IPv6" ? `[${a.address}]` : a.address;
    this.logger.event("info", "listening", { url: `http://${h}:${a.port}`, aliases: Object.keys(cfg.aliases) });
    return `http://${h}:${a.port}`;
  }

  /** Swaps in a validated config: new requests use it, in-flight ones finish on the old table. */
  reload(cfg: RouterConfig, sha256?: string): void {
    const moved = this.serving && listenMoved(this.serving, this.table.config.listen, cfg.listen);
    if (moved)
      this.logger.event("warn", "listen address changes take effect on restart", {
        serving: { host: this.serving?.host, port: this.serving?.port },
        configured: moved,
      });
    const { added, retired } = this.registry.apply(cfg);
    const bodiesWereLogged = this.table.config.logging.logBodies;
    this.table = tableOf(cfg);
    this.info.version++;
    this.info.loadedAt = Date.now();
    this.info.sha256 = sha256;
    this.info.rejected = undefined;
    this.logger.level = cfg.logging.level;
    this.bodies.limit = cfg.limits.maxBufferedBytes;
    this.server.headersTimeout = cfg.timeouts.requestHeadersMs;
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
  keepConfig(sha256?: string): void {
    // Another file with the same table (whitespace, key order): the table in force is what it says.
    if (sha256 !== undefined) this.info.sha256 = sha256;
    if (this.info.rejected === undefined) return;
    this.info.rejected = undefined;
    this.logger.event("info", "config file valid again; the table in force is unchanged", { version: this.info.version });
  }

  /** What a ConfigWatcher on this router's file reports to. */
  configHandlers(): ConfigWatcherHandlers {
    return {
      onConfig: (cfg, sha256) => this.reload(cfg, sha256),
      onRejected: (problems) => this.rejectReload(problems),
      onUnchanged: (sha256) => this.keepConfig(sha256),
    };
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
}

type Address = { host: string; port: number };

/**
 * The address a restart would listen on, when this reload changed it and it is not the one the
 * listener was asked for: --host/--port win over the file, and an edit back to the address served
 * changes nothing (test/router/config/listen-warning.test.ts).
 */
function listenMoved(serving: { asked: Address; overrides: { host?: string; port?: number } }, before: Address, after: Address): Address | undefined {
  const o = serving.overrides;
  const eff = (a: Address): Address => ({ host: o.host ?? a.host, port: o.port ?? a.port });
  const same = (x: Address, y: Address): boolean => x.host === y.host && x.port === y.port;
  const next = eff(after);
  return same(eff(before), next) || same(serving.asked, next) ? undefined : next;
}
