// The one owner of a client's response: everything the router writes to a client goes through a
// Reply — an answer of the router's own (a model list, an ops page, an error before any content),
// keep-alive bytes while a stream waits for its first byte, the head and body of a backend's answer,
// and the end of an answer that failed after it started (an in-band error in a stream, a cut
// connection otherwise).
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { Face, FaceRequest, OutputClamp, Rendered, RouterError } from "../faces/types.js";
import type { Stop } from "../cancel.js";
import { bodyPending } from "./answer.js";

/** The backend and model that served (or helped answer) a request, for the x-router-* headers. */
export interface Served {
  backend: string;
  model: string;
}

/** How a backend's answer is passed on: as a stream, and/or translated into the client's dialect. */
export interface HeadOptions {
  stream: boolean;
  translated: boolean;
}

/** What the server knows of the connection when the request arrives. */
export interface ReplyOptions {
  /** The router is draining: every answer on this connection asks the client to close it. */
  closing?: boolean;
}

/** Headers copied from a backend's answer; the others are hop-by-hop, or set here. */
const COPY_HEADERS = ["content-type", "content-length", "retry-after"] as const;

export class Reply {
  private keepAliveTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly face: Face,
    readonly id: string,
    options: ReplyOptions = {},
  ) {
    if (options.closing) res.setHeader("connection", "close");
  }

  /** Whether the head is out: from then on only body bytes, an in-band error or a cut can follow. */
  get started(): boolean {
    return this.res.headersSent;
  }

  get gone(): boolean {
    return this.res.destroyed;
  }

  /**
   * A whole answer of the router's own. Given before the request body was read, it closes the
   * connection after it when part of that body may still be on its way (see answer.ts). Once a
   * stream's head is out (keep-alive bytes) it can no longer be given: the response just ends.
   */
  send(r: Rendered, served?: Served, extra?: Record<string, string>): void {
    if (this.res.destroyed) return;
    if (this.res.headersSent) {
      this.res.end();
      return;
    }
    if (bodyPending(this.req)) this.res.setHeader("connection", "close");
    const h: Record<string, string> = { ...r.headers, ...extra, "x-request-id": this.id };
    if (served) Object.assign(h, routed(served));
    this.res.writeHead(r.status, h);
    this.res.end(r.body);
  }

  /** An error in the client's dialect: its status before the head is out, an in-band error after it. */
  error(err: RouterError, headers?: Record<string, string>): void {
    if (!this.res.headersSent) this.send(this.face.renderError(err), undefined, headers);
    else if (!this.res.destroyed) this.res.end(this.face.inBandError(err));
  }

  /** The request was stopped: nothing when the client left, the router's reason otherwise (cancel.ts). */
  stop(stop: Stop | undefined): void {
    if (stop) this.error(stop.error);
  }

  /**
   * While a stream waits for its first byte (a cold load can take minutes), bytes without content
   * every `everyMs` keep client idle timers quiet; the first of them sends the stream's head.
   */
  keepAlive(req: FaceRequest, everyMs: number): void {
    this.keepAliveTimer = setInterval(() => {
      if (this.res.destroyed) return;
      if (!this.res.headersSent) this.res.writeHead(200, this.streamHeaders(undefined));
      this.res.write(this.face.keepAlive(req));
    }, everyMs);
  }

  /**
   * `x-router-max-tokens` on the answer when the plan for the target being tried lowered the client's
   * output limit; another target's plan replaces it. Too late once a stream's head is out.
   */
  outputClamp(c: OutputClamp | undefined): void {
    if (this.res.headersSent) return;
    if (c) this.res.setHeader("x-router-max-tokens", String(c.sent));
    else this.res.removeHeader("x-router-max-tokens");
  }

  stopKeepAlive(): void {
    clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
  }

  /** The head of a backend's answer (unless keep-alive bytes already sent a stream's head). */
  head(status: number, upstream: IncomingHttpHeaders, served: Served, o: HeadOptions): void {
    this.stopKeepAlive();
    if (this.res.headersSent) return;
    const h: Record<string, string> = o.stream ? this.streamHeaders(served) : { "x-request-id": this.id, ...routed(served) };
    for (const name of COPY_HEADERS) {
      const v = upstream[name];
      if (typeof v !== "string") continue;
      if (name === "content-length" && o.translated) continue;
      if (name === "content-type" && (o.stream || o.translated)) continue;
      h[name] = v;
    }
    if (!o.stream && o.translated) h["content-type"] = "application/json";
    this.res.writeHead(status, h);
  }

  /** Body bytes; false when the client is slow (wait for "drain"). Empty chunks are not written. */
  write(chunk: Buffer | string): boolean {
    if (chunk.length === 0) return true;
    return this.res.write(chunk);
  }

  once(event: "drain", listener: () => void): void {
    this.res.once(event, listener);
  }

  end(): void {
    this.res.end();
  }

  /** An answer that already started failed: never splice a second one on; say why where the framing allows. */
  cut(err: RouterError, stream: boolean): void {
    if (stream) this.res.end(this.face.inBandError(err));
    else this.res.destroy();
  }

  /** The client left: drop the connection. */
  destroy(): void {
    if (!this.res.destroyed) this.res.destroy();
  }

  private streamHeaders(served: Served | undefined): Record<string, string> {
    const h: Record<string, string> = {
      "content-type": this.face.streamContentType,
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
      "x-request-id": this.id,
    };
    return served ? Object.assign(h, routed(served)) : h;
  }
}

function routed(s: Served): Record<string, string> {
  return { "x-router-backend": s.backend, "x-router-model": s.model };
}
