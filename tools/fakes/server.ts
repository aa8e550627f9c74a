// The shell every fake shares: a node:http server on a loopback port, socket tracking (so stop,
// kill and refuse really cut connections), request stats, API-key check and fault injection.

import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { BadRequestBody, createRuntime, parseJsonObject } from "./context.js";
import type { FakeContext } from "./context.js";
import type { EngineDialect } from "./dialect.js";
import { FaultState } from "./faults.js";
import { createGenericOpenAI } from "./generic.js";
import { readBody, sendJson } from "./http.js";
import { createLlamaCpp } from "./llamacpp.js";
import { createOllama } from "./ollama.js";
import { defaultReply } from "./request.js";
import type { FakeEngine, FakeEngineOptions, FakeStats, FaultSpec } from "./types.js";
import { createVllm } from "./vllm.js";

function emptyStats(): FakeStats {
  return {
    requests: {},
    inFlight: 0,
    maxInFlight: 0,
    generationsStarted: 0,
    generationsCompleted: 0,
    generationsAborted: 0,
    activeGenerations: 0,
    maxActiveGenerations: 0,
    loadsStarted: 0,
    loadsCompleted: 0,
    loadsAborted: 0,
    evictions: 0,
    openConnections: 0,
  };
}

function authorized(req: IncomingMessage, key: string, path: string, acceptsXApiKey: boolean): boolean {
  if (req.headers.authorization === `Bearer ${key}`) return true;
  // Anthropic clients send x-api-key; llama-server accepts it on every route.
  return (acceptsXApiKey || path === "/v1/messages") && req.headers["x-api-key"] === key;
}

export async function startFakeEngine(options: FakeEngineOptions): Promise<FakeEngine> {
  const stats = emptyStats();
  const runtime = createRuntime(options, stats, defaultReply, () => settleIdle());
  const dialects: Record<FakeEngineOptions["engine"], () => EngineDialect> = {
    vllm: () => createVllm(runtime),
    ollama: () => createOllama(runtime),
    llamacpp: () => createLlamaCpp(runtime),
    openai: () => createGenericOpenAI(runtime),
  };
  const dialect = dialects[options.engine]();
  const faults = new FaultState();
  // Each open socket with a promise of its 'close' event (destroy() emits it a tick later).
  const sockets = new Map<Socket, Promise<unknown>>();
  const idleWaiters = new Set<() => void>();
  const host = options.host ?? "127.0.0.1";
  let port = options.port ?? 0;
  let listening = false;
  let transition: Promise<void> = Promise.resolve();

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  // Like uvicorn and Ollama's Go server: keep idle connections for a few seconds.
  server.keepAliveTimeout = 5000;
  server.on("connection", (socket: Socket) => {
    socket.setNoDelay(true);
    // Not events.once: it rejects on the socket's 'error' (EPIPE, ECONNRESET), an unhandled rejection that
    // would take the fake down when a client goes away mid-write.
    sockets.set(socket, new Promise((resolve) => socket.once("close", resolve)));
    stats.openConnections = sockets.size;
    socket.on("close", () => {
      sockets.delete(socket);
      stats.openConnections = sockets.size;
    });
  });

  function settleIdle(): void {
    if (stats.inFlight !== 0 || stats.activeGenerations !== 0) return;
    for (const resolve of idleWaiters) resolve();
    idleWaiters.clear();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://fake.invalid").pathname;
    const method = req.method ?? "GET";
    stats.requests[path] = (stats.requests[path] ?? 0) + 1;
    stats.lastRequestHeaders = { ...req.headers };
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    const gone = new AbortController();
    res.on("close", () => {
      stats.inFlight -= 1;
      // A response closed before it finished means the client (or a kill) cut the connection.
      if (!res.writableFinished) gone.abort();
      settleIdle();
    });

    const fault = faults.take(path);
    if (fault?.mode === "reset-before-headers") {
      req.socket.destroy();
      return;
    }
    if (fault?.mode === "hang") return;
    if (fault?.mode === "status") {
      const status = fault.status ?? 500;
      const text = fault.body ?? JSON.stringify(dialect.errorBody(path, status));
      const headers: Record<string, string | number> = { "content-type": "application/json", "content-length": Buffer.byteLength(text) };
      if (fault.retryAfterS !== undefined) headers["retry-after"] = String(fault.retryAfterS);
      res.writeHead(status, headers);
      res.end(text);
      return;
    }

    let parsed: Promise<Record<string, unknown>> | undefined;
    const ctx: FakeContext = {
      req,
      res,
      method,
      path,
      signal: gone.signal,
      stall: fault?.mode === "stall-after-headers",
      json: () => {
        parsed ??= readBody(req).then((text) => {
          const body = parseJsonObject(text);
          stats.lastRequestBody = body;
          return body;
        });
        return parsed;
      },
    };

    try {
      if (options.apiKey !== undefined && !dialect.isPublic(path) && !authorized(req, options.apiKey, path, options.engine === "llamacpp")) {
        dialect.unauthorized(ctx);
        return;
      }
      if (!(await dialect.handle(ctx))) dialect.notFound(ctx);
    } catch (err) {
      if (err instanceof BadRequestBody) dialect.badRequest(ctx, err.message);
      else if (!res.headersSent) sendJson(res, 500, { error: "internal error in engine fake" });
      else res.destroy();
    }
  }

  function listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once("error", onError);
      server.listen(port, host, () => {
        server.off("error", onError);
        port = (server.address() as AddressInfo).port;
        listening = true;
        resolve();
      });
    });
  }

  function close(): Promise<void> {
    if (!listening) return Promise.resolve();
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const gone = [...sockets.values()];
    for (const socket of sockets.keys()) socket.destroy();
    return Promise.all([closed, ...gone]).then(() => {
      stats.openConnections = sockets.size;
    });
  }

  await listen();

  const faultControl = {
    set(spec: FaultSpec): void {
      const wasRefusing = faults.current().mode === "refuse";
      faults.set(spec);
      // Refusing means nobody listens on the port: close it (and cut open connections).
      if (spec.mode === "refuse" && !wasRefusing) transition = transition.then(close);
      if (spec.mode !== "refuse" && wasRefusing) transition = transition.then(listen);
    },
    clear(): void {
      faultControl.set({ mode: "ok" });
    },
    current: (): FaultSpec => faults.current(),
    settled: (): Promise<void> => transition,
  };

  const engine: FakeEngine = {
    get url() {
      return `http://${host}:${port}`;
    },
    get port() {
      return port;
    },
    options,
    faults: faultControl,
    stats,
    loadedModels: () => dialect.loadedModels(),
    loadingModels: () => dialect.loadingModels(),
    readyFor: (m) => listening && faults.current().mode === "ok" && dialect.readyFor(m),
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.add(resolve);
        settleIdle();
      }),
    async stop() {
      await transition;
      await close();
      dialect.reset();
    },
    async kill() {
      // A crashed engine: every connection drops at once and nothing listens any more.
      for (const socket of sockets.keys()) socket.destroy();
      await transition;
      await close();
      dialect.reset();
    },
    async restart() {
      await transition;
      await close();
      dialect.reset();
      if (faults.current().mode === "refuse") faults.clear();
      await listen();
    },
  };
  return engine;
}
