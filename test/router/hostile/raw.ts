// Raw HTTP over node:net, for requests an HTTP client would refuse to send (CRLF in headers,
// conflicting framing, invalid bytes) and a listener that counts every connection made to it.
import { connect, createServer, type Server } from "node:net";

export interface RawResponse {
  /** 0 when the connection closed without a status line. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent, as text (a second answer on the same connection included). */
  raw: string;
}

function dechunk(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  for (;;) {
    const eol = body.indexOf("\r\n", i);
    if (eol < 0) break;
    const size = parseInt(body.subarray(i, eol).toString("latin1"), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(body.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

function parseResponse(raw: Buffer): RawResponse {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) return { status: 0, headers: {}, body: raw.toString("utf8"), raw: raw.toString("latin1") };
  const head = raw.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? "")?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const c = line.indexOf(":");
    if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if (headers["transfer-encoding"]?.includes("chunked")) body = dechunk(body);
  return { status, headers, body: body.toString("utf8"), raw: raw.toString("latin1") };
}

/** Sends bytes as they are and reads until the server closes (requests carry Connection: close). */
export function rawExchange(port: number, bytes: Buffer | string, limitMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, "127.0.0.1");
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("no answer in time"));
    }, limitMs);
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(parseResponse(Buffer.concat(chunks)));
    });
    socket.write(bytes);
  });
}

export interface Sentinel {
  url: string;
  connections: number;
  close(): Promise<void>;
}

/** A loopback listener that only counts connections: any URL pointing here must never be fetched. */
export async function startSentinel(): Promise<Sentinel> {
  const s: { connections: number } = { connections: 0 };
  const server: Server = createServer((socket) => {
    s.connections++;
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return s.connections;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface Upload {
  /** What the router answered (parsed from everything it sent). */
  response: RawResponse;
  /** Whether the router closed the connection while the body was still being sent. */
  closedByRouter: boolean;
}

/**
 * Sends `head`, then body bytes (64 KiB at a time, honouring backpressure) up to `total`, and waits for
 * the router to close the connection. A router that keeps reading a body it refused never closes it:
 * the wait ends at `limitMs` with closedByRouter false.
 */
export function uploadUntilClosed(port: number, head: string, total: number, limitMs = 10_000): Promise<Upload> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const piece = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    let finished = false;
    const finish = (closed: boolean): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ response: parseResponse(Buffer.concat(chunks)), closedByRouter: closed });
    };
    const timer = setTimeout(() => finish(false), limitMs);
    const pump = (): void => {
      while (!finished && sent < total) {
        sent += piece.length;
        if (!socket.write(piece)) {
          socket.once("drain", pump);
          return;
        }
      }
    };
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => undefined);
    socket.on("close", () => finish(true));
    socket.write(head, "latin1");
    pump();
  });
}
