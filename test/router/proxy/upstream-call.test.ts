// The backend call of the hot path (undici dispatch with the router's own handler), for real on
// loopback: a small proxy that uses it exactly as forward() does sits between a client and an
// upstream whose behaviour each test sets.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Pool } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UpstreamCall } from "../../../router/proxy/upstream.js";
import { IdleTimeout, type Decision, type RelayEnd } from "../../../router/proxy/upstream-outcome.js";

type Upstream = (req: IncomingMessage, res: ServerResponse) => void;

let behaviour: Upstream = (_req, res) => res.end();
/** Resolves when the upstream sees its current response's connection close before the response finished. */
let upstreamCut: Promise<void>;
let cut: () => void = () => undefined;
let upstream: Server;
let pool: Pool;

function resetCut(): void {
  upstreamCut = new Promise((r) => (cut = r));
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    res.on("close", () => {
      if (!res.writableFinished) cut();
    });
    behaviour(req, res);
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  pool = new Pool(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, { headersTimeout: 0, bodyTimeout: 0 });
});

afterAll(async () => {
  await pool.destroy();
  upstream.closeAllConnections();
  await new Promise<void>((r) => upstream.close(() => r()));
});

function start(path = "/"): { call: UpstreamCall; decision: Promise<Decision> } {
  resetCut();
  return UpstreamCall.start(pool, { method: "POST", path, headers: { "content-type": "application/json" }, body: '{"model":"m"}' });
}

/** A proxy that commits to the upstream's answer the way forward() does. */
async function withProxy<T>(use: (port: number, ends: RelayEnd[], calls: UpstreamCall[]) => Promise<T>): Promise<T> {
  const ends: RelayEnd[] = [];
  const calls: UpstreamCall[] = [];
  const proxy = createServer((req, res) => {
    req.resume();
    const { call, decision } = start();
    calls.push(call);
    res.on("close", () => {
      if (!res.writableFinished) call.abort();
    });
    void decision.then(async (d) => {
      if (!d.ok) {
        res.writeHead(d.status).end(d.text);
        return;
      }
      res.writeHead(d.status, { "content-type": "text/plain" });
      if (d.first === null) {
        res.end();
        return;
      }
      res.write(d.first);
      const end = await call.relay(res, undefined, 60_000);
      ends.push(end);
      if (end.ok) res.end();
      else res.destroy();
    });
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  try {
    return await use((proxy.address() as AddressInfo).port, ends, calls);
  } finally {
    proxy.closeAllConnections();
    await new Promise<void>((r) => proxy.close(() => r()));
  }
}

function get(port: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port, method: "POST", path: "/" }, resolve).on("error", reject).end("{}");
  });
}

async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The body a client reads from a one-off server whose handler relays a call into the response. */
async function relayedBody(handler: (res: ServerResponse) => void): Promise<string> {
  const sink = createServer((_req, res) => handler(res));
  await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
  try {
    return await readAll(await get((sink.address() as AddressInfo).port));
  } finally {
    sink.closeAllConnections();
    await new Promise<void>((r) => sink.close(() => r()));
  }
}

async function until(what: string, test: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("UpstreamCall: the decision", () => {
  it("hands over the status, headers and first chunk of a success, and holds the rest", async () => {
    behaviour = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream", "x-extra": "1" });
      res.write("data: one\n\n");
      setTimeout(() => res.end("data: two\n\n"), 20);
    };
    const { call, decision } = start();
    const d = await decision;
    expect(d).toMatchObject({ ok: true, status: 200, headers: { "content-type": "text/event-stream", "x-extra": "1" } });
    expect(d.ok && d.first?.toString()).toBe("data: one\n\n");
    call.abort();
  });

  it("says null for a success with an empty body", async () => {
    behaviour = (_req, res) => res.writeHead(200, { "content-length": "0" }).end();
    const d = await start().decision;
    expect(d).toMatchObject({ ok: true, status: 200, first: null });
  });

  it("reads an error answer's text whole", async () => {
    behaviour = (_req, res) => res.writeHead(503, { "retry-after": "3" }).end('{"error":"server busy, please try again"}');
    const d = await start().decision;
    expect(d).toMatchObject({ ok: false, status: 503, headers: { "retry-after": "3" } });
    if (d.ok) throw new Error("expected an error");
    expect(d.text).toBe('{"error":"server busy, please try again"}');
  });

  it("caps a huge error body and does not wait for the rest of it", async () => {
    const piece = "x".repeat(16 * 1024);
    behaviour = (_req, res) => {
      res.writeHead(500);
      // Never ends by itself: only the cap lets the decision come.
      const timer = setInterval(() => res.write(piece), 1);
      res.on("close", () => clearInterval(timer));
    };
    const d = await start().decision;
    if (d.ok) throw new Error("expected an error");
    // The cap on an error answer's text: 64 KiB.
    expect(d.text.length).toBe(64 * 1024);
    await upstreamCut;
  });

  it("rejects when nothing listens on the port", async () => {
    const dead = new Pool("http://127.0.0.1:1");
    try {
      const { call, decision } = UpstreamCall.start(dead, { method: "GET", path: "/" });
      await expect(decision).rejects.toThrow();
      expect(call.headersSeen).toBe(false);
    } finally {
      await dead.destroy();
    }
  });

  it("rejects, without throwing, on a pool that was already closed", async () => {
    const closed = new Pool("http://127.0.0.1:1");
    await closed.close();
    await expect(UpstreamCall.start(closed, { method: "GET", path: "/" }).decision).rejects.toThrow();
  });

  it("rejects when aborted before any header, and the upstream sees the connection close", async () => {
    behaviour = () => undefined; // accepts and never answers
    const { call, decision } = start();
    await new Promise((r) => setTimeout(r, 20));
    call.abort();
    await expect(decision).rejects.toThrow(/abort/i);
    await upstreamCut;
  });

  it("rejects when the connection resets after the headers, before any content", async () => {
    behaviour = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.flushHeaders();
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const { call, decision } = start();
    await expect(decision).rejects.toThrow();
    expect(call.headersSeen).toBe(true);
  });
});

describe("UpstreamCall: relaying a committed body", () => {
  it("passes every chunk through in order and ends", async () => {
    const parts = Array.from({ length: 50 }, (_, i) => `data: ${i}\n\n`);
    behaviour = (_req, res) => {
      res.writeHead(200);
      let i = 0;
      const timer = setInterval(() => {
        if (i < parts.length) res.write(parts[i++]);
        else {
          clearInterval(timer);
          res.end();
        }
      }, 1);
    };
    await withProxy(async (port, ends) => {
      expect(await readAll(await get(port))).toBe(parts.join(""));
      await until("the relay to end", () => ends.length === 1);
      expect(ends[0]).toEqual({ ok: true });
    });
  });

  it("keeps chunks that arrived while the decision was pending", async () => {
    // Everything in one burst: later chunks can arrive before the caller starts relaying.
    behaviour = (_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 20; i++) res.write(`chunk ${i};`);
      res.end();
    };
    await withProxy(async (port) => {
      expect(await readAll(await get(port))).toBe(Array.from({ length: 20 }, (_, i) => `chunk ${i};`).join(""));
    });
  });

  it("pauses the upstream while the client does not read, and loses nothing once it does", async () => {
    const chunk = Buffer.alloc(64 * 1024, 97);
    const total = 64 * 1024 * 1024;
    let written = 0;
    let blocked = false;
    behaviour = (_req, res) => {
      res.writeHead(200);
      const pushMore = (): void => {
        while (written < total) {
          written += chunk.length;
          if (!res.write(chunk)) {
            blocked = true;
            res.once("drain", pushMore);
            return;
          }
        }
        res.end();
      };
      pushMore();
    };
    await withProxy(async (port, ends) => {
      const res = await get(port);
      res.pause();
      // The upstream must end up waiting on backpressure long before it has written everything.
      await until("the upstream to block on backpressure", () => blocked);
      const settledAt = written;
      await new Promise((r) => setTimeout(r, 200));
      expect(written).toBeLessThan(total);
      expect(written - settledAt).toBeLessThan(total / 2);
      let received = 0;
      res.on("data", (c: Buffer) => (received += c.length));
      res.resume();
      await new Promise((r) => res.once("end", r));
      expect(received).toBe(total);
      await until("the relay to end", () => ends.length === 1);
      expect(ends[0]).toEqual({ ok: true });
    });
  });

  it("cuts the upstream when the client leaves mid-stream", async () => {
    behaviour = (_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write("data: tick\n\n"), 5);
      res.on("close", () => clearInterval(timer));
    };
    await withProxy(async (port, ends) => {
      const res = await get(port);
      await new Promise((r) => res.once("data", r));
      res.destroy();
      await upstreamCut;
      await until("the relay to end", () => ends.length === 1);
      expect(ends[0]?.ok).toBe(false);
    });
  });

  it("ends with IdleTimeout when the upstream goes silent for longer than the idle limit", async () => {
    behaviour = (_req, res) => {
      res.writeHead(200);
      res.write("data: first\n\n");
      setTimeout(() => res.write("data: second\n\n"), 10);
      // then silence
    };
    const { call, decision } = start();
    const d = await decision;
    expect(d.ok).toBe(true);
    const body = await relayedBody((res) => {
      void call.relay(res, undefined, 100).then((end) => {
        expect(end.ok).toBe(false);
        if (!end.ok) expect(end.error).toBeInstanceOf(IdleTimeout);
        res.end(end.ok ? "ok" : end.error.name);
      });
    });
    expect(body).toBe("data: second\n\nIdleTimeout");
    await upstreamCut;
  });

  it("a whole answer that goes silent ends with IdleTimeout naming the idle limit", async () => {
    behaviour = (_req, res) => {
      res.writeHead(200);
      res.write("data: first\n\n");
      // then silence
    };
    resetCut();
    let firstByte = false;
    const { decision } = UpstreamCall.start(
      pool,
      { method: "POST", path: "/", headers: { "content-type": "application/json" }, body: "{}" },
      { idleMs: 150, maxBytes: 1 << 20, onFirstByte: () => (firstByte = true) },
    );
    const err = await decision.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(firstByte).toBe(true);
    expect(err).toBeInstanceOf(IdleTimeout);
    // The client reads this text in its error: it must say the limit that ran out.
    expect((err as Error).message).toBe("no data from the backend for 150 ms");
    await upstreamCut;
  });

  it("runs a translator over every chunk and writes its tail at the end", async () => {
    behaviour = (_req, res) => {
      res.writeHead(200);
      res.write("a");
      setTimeout(() => res.end("b"), 10);
    };
    const { call, decision } = start();
    const d = await decision;
    if (!d.ok || d.first === null) throw new Error("expected a first chunk");
    const seen: string[] = [d.first.toString()];
    seen.push(
      await relayedBody((res) => {
        void call.relay(res, { push: (c) => `<${c.toString()}>`, end: () => "[end]" }, 60_000).then((end) => res.end(end.ok ? "" : "failed"));
      }),
    );
    expect(seen).toEqual(["a", "<b>[end]"]);
  });
});
