// Reading a request body once, within the size limit, and the JSON nesting check that runs on it.
import type { IncomingMessage } from "node:http";


/** Whether a parsed JSON value nests arrays/objects deeper than `limit` (iterative: no recursion to overflow). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  // Two parallel stacks and for-in: this runs on every request, so no tuple or Object.values array per object.
  const values: object[] = [];
  const depths: number[] = [];
  if (typeof value === "object" && value !== null) {
    values.push(value);
    depths.push(0);
  }
  while (values.length > 0) {
    const v = values.pop() as Record<string, unknown>;
    const depth = depths.pop() as number;
    if (depth >= limit) return true;
    for (const k in v) {
      // v["__proto__"] would read the prototype, not the own key JSON.parse made: read that one.
      const child = k === "__proto__" ? (Object.getOwnPropertyDescriptor(v, k)?.value as unknown) : v[k];
      if (typeof child === "object" && child !== null) {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/** Reads the whole body once, refusing it as soon as it exceeds the limit. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too-large" | "aborted"> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve("too-large");
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        chunks.length = 0;
        resolve("too-large");
        return;
      }
      chunks.push(c);
    });
    req.once("end", () => {
      // A small request arrives in one chunk: no copy then.
      if (!done) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
      done = true;
    });
    req.once("error", () => {
      if (!done) resolve("aborted");
      done = true;
    });
    req.once("close", () => {
      if (!done && !req.complete) resolve("aborted");
      done = true;
    });
  });
}
