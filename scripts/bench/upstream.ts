// The benchmark's fake upstream: an OpenAI-compatible chat completions server that answers as fast
// as node:http allows, so the systems under test, not the upstream, set the pace. Run as its own
// process: `tsx scripts/bench/upstream.ts [--workers N]`. It prints one JSON line,
// {"port":P,"controlPort":C}, once it listens. The control port (GET /stats, POST /closes) tells
// how many streams are open and when tagged streams closed, for leak and disconnect measurements.
import cluster from "node:cluster";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parseDirective } from "./directive.js";
import type { Directive } from "./directive.js";
import { StreamLedger } from "./ledger.js";
import type { LedgerEvent } from "./ledger.js";

const MODEL = "bench";
const CREATED = Math.floor(Date.now() / 1000);
const MAX_BODY = 1 << 20;

const COMPLETION = Buffer.from(
  JSON.stringify({
    id: "chatcmpl-bench",
    object: "chat.completion",
    created: CREATED,
    model: MODEL,
    choices: [{ index: 0, message: { role: "assistant", content: "pong" }, finish_reason: "stop" }],
    usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 },
  }),
);
const MODELS = Buffer.from(JSON.stringify({ object: "list", data: [{ id: MODEL, object: "model", created: CREATED, owned_by: "bench" }] }));

function chunk(delta: Record<string, string>, finish: string | null): string {
  const body = { id: "chatcmpl-bench", object: "chat.completion.chunk", created: CREATED, model: MODEL, choices: [{ index: 0, delta, finish_reason: finish }] };
  return `data: ${JSON.stringify(body)}\n\n`;
}
const ROLE_CHUNK = Buffer.from(chunk({ role: "assistant", content: "" }, null));
const TOKEN_CHUNK = Buffer.from(chunk({ content: "tok " }, null));
const END = Buffer.from(chunk({}, "stop") + "data: [DONE]\n\n");

type Report = (event: LedgerEvent) => void;

function sendBuffer(res: http.ServerResponse, status: number, type: string, body: Buffer): void {
  res.writeHead(status, { "content-type": type, "content-length": body.length });
  res.end(body);
}

function stream(res: http.ServerResponse, d: Directive, report: Report): void {
  report({ kind: "open", id: d.id });
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" });
  res.socket?.setNoDelay(true);
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  res.on("close", () => {
    if (timer !== undefined) clearInterval(timer);
    report({ kind: "close", id: d.id, closedAtNs: process.hrtime.bigint().toString(), aborted: !res.writableFinished });
  });
  const next = (): void => {
    if (res.destroyed) return;
    if (sent < d.chunks) {
      res.write(TOKEN_CHUNK);
      sent++;
    }
    if (sent >= d.chunks) {
      if (timer !== undefined) clearInterval(timer);
      res.end(END);
    }
  };
  res.write(ROLE_CHUNK);
  if (d.paceMs === 0) {
    while (sent < d.chunks) next();
    return;
  }
  next();
  if (sent < d.chunks) timer = setInterval(next, d.paceMs);
}

function handle(req: http.IncomingMessage, res: http.ServerResponse, report: Report): void {
  const url = req.url ?? "/";
  if (req.method === "GET") {
    if (url === "/health") return sendBuffer(res, 200, "text/plain", Buffer.from("ok"));
    if (url.endsWith("/models")) return sendBuffer(res, 200, "application/json", MODELS);
    return sendBuffer(res, 404, "application/json", Buffer.from('{"error":{"message":"not found"}}'));
  }
  if (req.method !== "POST" || !url.split("?", 1)[0]!.endsWith("/chat/completions")) {
    return sendBuffer(res, 404, "application/json", Buffer.from('{"error":{"message":"not found"}}'));
  }
  const parts: Buffer[] = [];
  let size = 0;
  req.on("data", (b: Buffer) => {
    size += b.length;
    if (size <= MAX_BODY) parts.push(b);
  });
  req.on("end", () => {
    // W7's bodies are tens of MB: none of it is kept, and it is answered as a plain completion.
    if (size > MAX_BODY) return sendBuffer(res, 200, "application/json", COMPLETION);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(parts).toString("utf8"));
    } catch {
      return sendBuffer(res, 400, "application/json", Buffer.from('{"error":{"message":"body is not JSON"}}'));
    }
    const d = parseDirective(body);
    if (d.stream) stream(res, d, report);
    else sendBuffer(res, 200, "application/json", COMPLETION);
  });
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function dataServer(report: Report): http.Server {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => handle(req, res, report));
  server.maxRequestsPerSocket = 0;
  server.headersTimeout = 60_000;
  return server;
}

function controlServer(ledger: StreamLedger): http.Server {
  return http.createServer((req, res) => {
    if (req.method === "GET" && req.url === "/stats") {
      return sendBuffer(res, 200, "application/json", Buffer.from(JSON.stringify(ledger.stats())));
    }
    if (req.method === "POST" && req.url === "/closes") {
      const parts: Buffer[] = [];
      req.on("data", (b: Buffer) => parts.push(b));
      req.on("end", () => {
        let ids: string[] = [];
        try {
          const parsed: unknown = JSON.parse(Buffer.concat(parts).toString("utf8"));
          if (Array.isArray(parsed)) ids = parsed.filter((x): x is string => typeof x === "string");
        } catch {
          // An unreadable list is answered as an empty one.
        }
        sendBuffer(res, 200, "application/json", Buffer.from(JSON.stringify(ledger.lookup(ids))));
      });
      return;
    }
    sendBuffer(res, 404, "text/plain", Buffer.from("not found"));
  });
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const workers = Math.max(1, Math.min(8, Number.parseInt(argValue("--workers") ?? "1", 10) || 1));
  const ledger = new StreamLedger();
  if (workers === 1) {
    const port = await listen(
      dataServer((e) => ledger.record(e)),
      0,
    );
    const controlPort = await listen(controlServer(ledger), 0);
    process.stdout.write(`${JSON.stringify({ port, controlPort })}\n`);
    return;
  }
  // Several workers share one data port; each reports its stream events to the primary, which
  // keeps the one ledger the control port answers from.
  const probe = http.createServer();
  const port = await listen(probe, 0);
  await new Promise<void>((r) => probe.close(() => r()));
  let ready = 0;
  const controlPort = await listen(controlServer(ledger), 0);
  for (let i = 0; i < workers; i++) {
    const w = cluster.fork({ BENCH_UPSTREAM_PORT: String(port) });
    w.on("message", (m: LedgerEvent | { kind: "ready" }) => {
      if (m.kind === "ready") {
        if (++ready === workers) process.stdout.write(`${JSON.stringify({ port, controlPort })}\n`);
      } else ledger.record(m);
    });
  }
  cluster.on("exit", () => process.exit(1));
}

async function worker(): Promise<void> {
  const send = (e: LedgerEvent | { kind: "ready" }): void => {
    process.send?.(e);
  };
  await listen(dataServer(send), Number(process.env.BENCH_UPSTREAM_PORT));
  send({ kind: "ready" });
}

process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
if (cluster.isPrimary) await main();
else await worker();
