// Backends that misbehave below HTTP or at its edges, for the tests that must see the router survive
// them: each is a loopback TCP server on an ephemeral port.
import { createServer, type Server, type Socket } from "node:net";

export type HostileKind = "hung" | "reset" | "garbage" | "huge" | "slow-headers";

export interface HostileBackend {
  url: string;
  stop(): Promise<void>;
}

/** A /v1/models body of many models with long names, and a long version string: megabytes of state. */
function hugeAnswer(path: string): string {
  const body = path.startsWith("/api/version")
    ? JSON.stringify({ version: "9".repeat(500_000) })
    : JSON.stringify({ data: Array.from({ length: 3_000 }, (_, i) => ({ id: `m${i}-${"x".repeat(1_000)}`, object: "model", max_model_len: 4096 })) });
  return `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

function behave(kind: HostileKind, socket: Socket, timers: Set<NodeJS.Timeout>): void {
  socket.on("error", () => undefined);
  if (kind === "hung") return; // accepts, reads, never answers
  if (kind === "reset") return void socket.resetAndDestroy();
  if (kind === "garbage") return void socket.end("\x00\xff not http at all \r\n\r\n\x01\x02");
  let head = "";
  socket.on("data", (c: Buffer) => {
    if (head.includes("\r\n\r\n")) return;
    head += c.toString("latin1");
    if (!head.includes("\r\n\r\n")) return;
    const path = head.split(" ")[1] ?? "/";
    if (kind === "huge") return void socket.end(hugeAnswer(path));
    // slow-headers: one byte of the status line every 200 ms, never finishing the head.
    const line = "HTTP/1.1 200 OK\r\nx-slow: ";
    let i = 0;
    const t = setInterval(() => {
      if (socket.destroyed) return clearInterval(t);
      socket.write(line[i % line.length] ?? "a");
      i++;
    }, 200);
    timers.add(t);
  });
}

export async function startHostileBackend(kind: HostileKind): Promise<HostileBackend> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    behave(kind, socket, timers);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
