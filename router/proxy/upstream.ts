// One call to a backend through undici's `dispatch` with a handler of its own: the bytes arrive as
// callbacks and go straight to the client, with no body stream, no async iterator and no listener set
// per request (undici docs, Dispatcher.dispatch and the DispatchHandler/DispatchController interface;
// `Pool.request` builds a Readable body per call). The router reads a call in two steps:
// 1. the decision (a `Decision`, see upstream-outcome.ts): commit to this backend or fail over. It
//    rejects on a transport failure before that point.
// 2. `relay()`: the rest of a committed body to the client (body-relay.ts), cutting a backend that
//    goes silent for longer than the idle limit.
import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";
import type { StreamTranslator } from "../faces/types.js";
import { BodyRelay, type Sink } from "./body-relay.js";
import type { LineGuard } from "./line-guard.js";
import type { UsageMeter } from "../telemetry/usage.js";
import { AnswerTooLarge, CallAborted, ErrorText, IdleTimeout, type Decision, type RelayEnd } from "./upstream-outcome.js";

/**
 * Where a call is: before the headers; waiting for the first chunk (or the whole body) of a success or
 * the text of an error; held for the caller's decision; relaying; over.
 */
type Phase = "head" | "first" | "whole" | "error-body" | "held" | "relay" | "done";

/**
 * A call whose client gets nothing before the backend's answer is complete (a stream assembled into
 * one body): the decision waits for the end, so a failure before it can still fail over. The idle
 * limit applies between chunks; `onFirstByte` tells the caller when the backend started answering.
 */
export interface WholeBody {
  idleMs: number;
  /** limits.maxAnswerBytes: past it the call is stopped and the decision rejects with AnswerTooLarge. */
  maxBytes: number;
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
  private errorText: ErrorText | undefined;
  /** A `whole` call's body so far, and its size. */
  private body: Buffer[] | undefined;
  private bodySize = 0;
  /** A success's body after its first chunk (see body-relay.ts). */
  private out: BodyRelay | undefined;
  private settle: ((d: Decision) => void) | undefined;
  private fail: ((e: Error) => void) | undefined;
  private idleMs = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private whole: WholeBody | undefined;

  /** Starts the call; the returned promise is the decision (see the file's header). */
  static start(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, whole?: WholeBody): { call: UpstreamCall; decision: Promise<Decision> } {
    const call = new UpstreamCall();
    call.whole = whole;
    // A whole answer's idle limit runs from its first chunk (relay() sets it for a relayed one).
    call.idleMs = whole?.idleMs ?? 0;
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
  relay(sink: Sink, translator: StreamTranslator | undefined, idleMs: number, guard?: LineGuard, meter?: UsageMeter): Promise<RelayEnd> {
    const out = this.out;
    if (!out) throw new Error("relay() needs a decision to commit first");
    this.idleMs = idleMs;
    if (this.phase === "held") {
      this.phase = "relay";
      this.idleTimer = setTimeout(idleOut, idleMs, this);
    }
    return out.attach(sink, translator, guard, meter);
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
    if (this.phase === "error-body") this.errorText = new ErrorText();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    switch (this.phase) {
      case "first":
        // Hold the backend until the caller decides; the first chunk travels with the decision.
        this.phase = "held";
        this.out = new BodyRelay(controller);
        controller.pause();
        this.decide({ status: this.status, headers: this.headers, ok: true, first: chunk });
        return;
      case "held":
        this.out?.write(chunk);
        return;
      case "whole":
        this.bodySize += chunk.length;
        if (this.whole && this.bodySize > this.whole.maxBytes) {
          const err = new AnswerTooLarge(this.whole.maxBytes);
          this.onResponseError(controller, err);
          controller.abort(err);
          return;
        }
        if (this.body) {
          this.body.push(chunk);
          this.idleTimer?.refresh();
        } else {
          this.body = [chunk];
          this.idleTimer = setTimeout(idleOut, this.idleMs, this);
          this.whole?.onFirstByte();
        }
        return;
      case "error-body":
        this.collectError(controller, chunk);
        return;
      case "relay":
        this.idleTimer?.refresh();
        this.out?.write(chunk);
        return;
      default:
        return;
    }
  }

  onResponseEnd(): void {
    switch (this.phase) {
      case "whole":
      case "first": {
        this.phase = "done";
        clearTimeout(this.idleTimer);
        const body = this.body;
        this.body = undefined;
        // The whole body (if any) travels with the decision; relay() only adds a translator's tail.
        this.out = new BodyRelay(undefined);
        this.out.end({ ok: true });
        this.decide({ status: this.status, headers: this.headers, ok: true, first: body ? Buffer.concat(body) : null });
        return;
      }
      case "error-body":
        this.phase = "done";
        this.decideError();
        return;
      case "held":
      case "relay":
        this.phase = "done";
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
        this.body = undefined;
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
    if (!this.errorText?.add(chunk)) return;
    this.phase = "done";
    this.decideError();
    controller.abort(new CallAborted());
  }

  private decideError(): void {
    const text = this.errorText?.text() ?? "";
    this.errorText = undefined;
    this.decide({ status: this.status, headers: this.headers, ok: false, text });
  }

  private end(e: RelayEnd): void {
    clearTimeout(this.idleTimer);
    this.out?.end(e);
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
