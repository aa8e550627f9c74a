// Pieces of a whole answer (written by http/reply.ts). An answer given before the request body was
// read (no key, an unknown path, a wrong method, a body over the limit, a router that is shutting down)
// never reads that body: when part of it may still be on its way (bodyPending), the answer says
// `Connection: close` and Node closes the connection once it is written, instead of reading and
// discarding whatever the client keeps sending.
import type { IncomingMessage } from "node:http";
import type { Rendered } from "../faces/types.js";

export function json(status: number, value: unknown): Rendered {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(value) };
}

/** Whether some of the request's body may still be unread (announced, and not yet all received). */
export function bodyPending(req: IncomingMessage): boolean {
  if (req.complete) return false;
  if (req.headers["transfer-encoding"] !== undefined) return true;
  const length = req.headers["content-length"];
  return length !== undefined && length !== "0";
}
