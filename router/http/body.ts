// Reading a request body once, within the size limit and the budget of bodies held at once, and the
// JSON nesting check that runs on it (json-depth.ts).
import type { IncomingMessage } from "node:http";
import { bodyTimeout, nestedTooDeep, notJson, requestTooLarge, routerBusy, unsupportedEncoding, type RouterError } from "../errors.js";
import type { BodyHold } from "./body-budget.js";
import { nestedDeeperThan } from "./json-depth.js";

/** Far beyond any real request (tool schemas nest a few dozen levels at most). */
const MAX_JSON_DEPTH = 256;

/** How a body is read: its cap, its budget, how long it may go silent, and what to do once it is wanted. */
export interface BodyRead {
  maxBytes: number;
  hold: BodyHold;
  /** timeouts.requestIdleMs: the longest silence before (and between) chunks of the body. */
  idleMs: number;
  /** An empty body is `undefined` (a local route such as GET /api/tags). */
  emptyOk: boolean;
  /** Called once the body is wanted (after the checks): answers `Expect: 100-continue`. */
  proceed: () => void;
}

type Raw = Buffer | "too-large" | "busy" | "aborted" | "idle";

/**
 * Reads the whole body once, refusing it as soon as it exceeds the limit. Bytes are charged to the
 * budget as they arrive (a declared length reserves nothing). A body the budget cannot take is read
 * to its end and dropped, then refused ("busy"): answered before the upload ended, a client that
 * asked to close the connection could see it reset instead of the answer. A body that stays silent
 * for `idleMs` is refused ("idle", 408) and gives its bytes back. A body read whole stays reserved in
 * `hold`; otherwise it is released.
 */
function readBody(req: IncomingMessage, o: BodyRead): Promise<Raw> {
  const { maxBytes: limit, hold } = o;
  const declared = Number(req.headers["content-length"]);
  if (req.headers["content-length"] !== undefined && Number.isFinite(declared) && declared > limit) return Promise.resolve("too-large");
  o.proceed();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    /** Still keeping what arrives; false once refused or dropped. */
    let keeping = true;
    let dropped = false;
    const settle = (r: Raw): void => {
      if (settled) return;
      settled = true;
      keeping = false;
      clearTimeout(timer);
      if (typeof r === "string") {
        chunks.length = 0;
        hold.release();
      }
      resolve(r);
    };
    const timer = setTimeout(() => settle("idle"), o.idleMs);
    const drop = (): void => {
      keeping = false;
      dropped = true;
      chunks.length = 0;
      hold.release();
    };
    req.on("data", (c: Buffer) => {
      if (settled) return;
      timer.refresh();
      size += c.length;
      if (size > limit) return settle("too-large");
      if (!keeping) return;
      if (!hold.take(c.length)) return drop();
      chunks.push(c);
    });
    // A small request arrives in one chunk: no copy then.
    req.once("end", () => settle(dropped ? "busy" : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)));
    req.once("error", () => settle("aborted"));
    req.once("close", () => {
      if (!req.complete) settle("aborted");
    });
  });
}

/** The body read whole and parsed, or the error to answer; "aborted" when the client left. */
export async function readJson(req: IncomingMessage, o: BodyRead): Promise<{ json: unknown } | RouterError | "aborted"> {
  // A compressed body would read as "not JSON": say what is wrong instead (415), before reading it.
  const encoding = req.headers["content-encoding"];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== "identity") return unsupportedEncoding(encoding);
  const body = await readBody(req, o);
  if (body === "too-large") return requestTooLarge(o.maxBytes);
  // Read to its end and dropped (see readBody): the connection stays usable.
  if (body === "busy") return routerBusy();
  if (body === "idle") return bodyTimeout(o.idleMs);
  if (body === "aborted") return "aborted";
  if (o.emptyOk && body.length === 0) return { json: undefined };
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    return notJson();
  }
  // Validation and re-serialisation recurse: a hostile nesting depth would overflow the stack there.
  return nestedDeeperThan(json, MAX_JSON_DEPTH) ? nestedTooDeep(MAX_JSON_DEPTH) : { json };
}
