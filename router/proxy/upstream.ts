// One call to a backend through undici's `dispatch` with a handler of its own: the bytes arrive as
// callbacks and go straight to the client, with no body stream, no async iterator and no listener set
// per request (undici docs, Dispatcher.dispatch and the DispatchHandler/DispatchController interface;
// `Pool.request` builds a Readable body per call). The router reads a call in two steps:
//
// 1. `decision()`: what it needs to commit to this backend or fail over: the status and headers plus
//    the first chunk (or null for an empty body) of a success, or the (capped) text of an error.
//    It rejects on a transport failure before that point.
// 2. `relay()`: the rest of a committed body to the client, pausing the backend while the client is
//    slow and cutting a backend that goes silent for longer than the idle limit.
import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";
import type { StreamTranslator } from "../faces/types.js";

export class IdleTimeout extends Error {
  constructor(ms: number) {
    super(`no data from the backend for ${ms} ms`);
    this.name = "IdleTimeout";
  }
}

/** Why a call was stopped from this side: the client left, or a deadline passed. */
export class CallAborted extends Error {
  constructor() {
    super("request aborted");
    this.name = "AbortError";
  }
}

export type Decision =
  | { status: number; headers: IncomingHttpHeaders; ok: true; first: Buffer | null }
  | { status: number; headers: IncomingHttpHeaders; ok: false; text: string };

export type RelayEnd = { ok: true } | { ok: false; error: Error };

/** Where a committed body goes (the client's Reply): false from write means wait for "drain". */
export interface Sink {
  write(chunk: Buffer | string): boolean;
  once(event: "drain", listener: () => void): unknown;
}

/** Error bodies are read up to this size; the rest is not waited for. */
export const ERROR_TEXT_CAP = 64 * 1024;

type Phase = "head" | "first" | "whole" | "error-body" | "held" | "relay" | "done";

/**
 * A call whose client gets nothing before the backend's answer is complete (a stream assembled into
 * one body): the decision waits for the end, so a failure before it can still fail over. The idle
 * limit applies between chunks; `onFirstByte` tells the caller when the backend started answering.
 */
export interface WholeBody {
  idleMs: number;
  onFirstByte: () => void;
}

export class UpstreamCall implements Dispatcher.DispatchHandler {
  /** True once headers arrived: a failure after that is a reset or stall, not a refused connection. */
  headersSeen = false;
  private phase: Phase = "head";
  private controller: Dispatcher.DispatchController | undefined;
  private pendingAbort: Error | undefined;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private errorChunks: Buffer[] = [];
  private errorSize = 0;
  /** Chunks that arrived after the first one while the call was held (pause is not instantaneous). */
  private held: Buffer[] | undefined;
  private heldEnd: RelayEnd | undefined;
  private settle: ((d: Decision) => void) | undefined;
  private fail: ((e: Error) => void) | undefined;
  private finish: ((e: RelayEnd) => void) | undefined;
  private sink: Sink | undefined;
  private translator: StreamTranslator | undefined;
  private idleMs = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private waitingDrain = false;
  private whole: WholeBody | undefined;

  /** Starts the call; the returned promise is the decision (see the file's header). */
  static start(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, whole?: WholeBody): { call: UpstreamCall; decision: Promise<Decision> } {
    const call = new UpstreamCall();
    call.whole = whole;
    const decision = new Promise<Decision>((resolve, reject) => {
      call.settle = resolve;
      call.fail = reject;
    });
    try {
      dispatcher.dispatch(options, call);
    } catch (err) {
      // A closed or destroyed pool throws instead of calling back.
      call.onResponseError(undefined, err instanceof Error ? err : new Error(String(err)));
    }
    return { call, decision };
  }

  /** Stops the call (the client left, a deadline passed); pending promises settle with `reason`. */
  abort(reason: Error = new CallAborted()): void {
    if (this.phase === "done") return;
    if (this.controller) this.controller.abort(reason);
    else this.pendingAbort = reason;
  }

  /**
   * Sends the rest of a committed body to `sink` (the first chunk was handled by the caller);
   * never ends it. A translator's tail is written when the body ends.
   */
  relay(sink: Sink, translator: StreamTranslator | undefined, idleMs: number): Promise<RelayEnd> {
    this.sink = sink;
    this.translator = translator;
    this.idleMs = idleMs;
    const held = this.held;
    this.held = undefined;
    if (held) for (const c of held) this.write(c);
    if (this.heldEnd) {
      if (this.heldEnd.ok) this.writeTail();
      return Promise.resolve(this.heldEnd);
    }
    this.phase = "relay";
    this.idleTimer = setTimeout(idleOut, idleMs, this);
    const p = new Promise<RelayEnd>((resolve) => (this.finish = resolve));
    if (!this.waitingDrain) this.controller?.resume();
    return p;
  }

  // ---- undici's handler interface -------------------------------------------------------------

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.pendingAbort) controller.abort(this.pendingAbort);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // 1xx answers are interim; the real status follows.
    if (statusCode < 200) return;
    this.controller = controller;
    this.headersSeen = true;
    this.status = statusCode;
    this.headers = headers;
    this.phase = statusCode >= 400 ? "error-body" : this.whole ? "whole" : "first";
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    switch (this.phase) {
      case "first":
        // Hold the backend until the caller decides; the first chunk travels with the decision.
        this.phase = "held";
        this.held = [];
        controller.pause();
        this.decide({ status: this.status, headers: this.headers, ok: true, first: chunk });
        return;
      case "held":
        this.held?.push(chunk);
        return;
      case "whole":
        if (this.held) {
          this.held.push(chunk);
          this.idleTimer?.refresh();
        } else {
          this.held = [chunk];
          this.idleTimer = setTimeout(idleOut, this.whole?.idleMs ?? 0, this);
          this.whole?.onFirstByte();
        }
        return;
      case "error-body":
        this.collectError(controller, chunk);
        return;
      case "relay":
        this.idleTimer?.refresh();
        this.write(chunk);
        return;
      default:
        return;
    }
  }

  onResponseEnd(): void {
    switch (this.phase) {
      case "whole": {
        this.phase = "done";
        clearTimeout(this.idleTimer);
        const held = this.held;
        this.held = undefined;
        this.heldEnd = { ok: true };
        this.decide({ status: this.status, headers: this.headers, ok: true, first: held ? Buffer.concat(held) : null });
        return;
      }
      case "first":
        this.phase = "done";
        this.decide({ status: this.status, headers: this.headers, ok: true, first: null });
        return;
      case "error-body":
        this.phase = "done";
        this.decideError();
        return;
      case "held":
        this.phase = "done";
        this.heldEnd = { ok: true };
        return;
      case "relay":
        this.phase = "done";
        this.writeTail();
        this.end({ ok: true });
        return;
      default:
        this.phase = "done";
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    const phase = this.phase;
    this.phase = "done";
    switch (phase) {
      case "whole":
        clearTimeout(this.idleTimer);
        this.held = undefined;
        this.reject(error);
        return;
      case "head":
      case "first":
        this.reject(error);
        return;
      case "error-body":
        // Whatever of the error text arrived is enough to classify the answer.
        this.decideError();
        return;
      case "held":
        this.heldEnd = { ok: false, error };
        return;
      case "relay":
        this.end({ ok: false, error });
        return;
      default:
        return;
    }
  }

  // ---- internals ---------------------------------------------------------------------------------

  private decide(d: Decision): void {
    this.settle?.(d);
    this.settle = undefined;
    this.fail = undefined;
  }

  private reject(error: Error): void {
    this.fail?.(error);
    this.settle = undefined;
    this.fail = undefined;
  }

  private collectError(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const room = ERROR_TEXT_CAP - this.errorSize;
    if (chunk.length >= room) {
      this.errorChunks.push(chunk.subarray(0, room));
      this.errorSize = ERROR_TEXT_CAP;
      this.phase = "done";
      this.decideError();
      controller.abort(new CallAborted());
      return;
    }
    this.errorChunks.push(chunk);
    this.errorSize += chunk.length;
  }

  private decideError(): void {
    const text = Buffer.concat(this.errorChunks).toString("utf8");
    this.errorChunks = [];
    this.decide({ status: this.status, headers: this.headers, ok: false, text });
  }

  private write(chunk: Buffer): void {
    const sink = this.sink as Sink;
    const out = this.translator ? this.translator.push(chunk) : chunk;
    if (out.length === 0) return;
    if (!sink.write(out) && !this.waitingDrain) {
      // While the client is slow the backend waits; memory stays bounded by the socket buffers.
      this.waitingDrain = true;
      this.controller?.pause();
      sink.once("drain", () => this.onDrain());
    }
  }

  private onDrain(): void {
    this.waitingDrain = false;
    if (this.phase === "relay") this.controller?.resume();
  }

  private writeTail(): void {
    if (!this.translator || !this.sink) return;
    const tail = this.translator.end();
    if (tail.length > 0) this.sink.write(tail);
  }

  private end(e: RelayEnd): void {
    clearTimeout(this.idleTimer);
    this.finish?.(e);
    this.finish = undefined;
  }

  /** For the idle timer (no closure per call). */
  idleOut(): void {
    if (this.phase !== "relay" && this.phase !== "whole") return;
    this.abort(new IdleTimeout(this.idleMs));
  }
}

function idleOut(call: UpstreamCall): void {
  call.idleOut();
}
