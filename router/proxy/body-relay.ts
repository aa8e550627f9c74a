// The body of a success after its first chunk, on its way to the client. Until the caller commits
// (`attach`), chunks that still arrive are held (pausing a backend is not instantaneous) and so is
// the end. Then each chunk goes through the face's translator (if any) into the client's Reply; while
// the client's socket is full the backend is paused, so memory stays bounded by the socket buffers,
// and it resumes when the socket drains. The translator's tail is written when the body ends; the
// sink itself is never ended here. A line past limits.maxLineBytes (line-guard.ts) stops the backend
// and ends the relay with LineTooLong.
import type { StreamTranslator } from "../faces/types.js";
import type { UsageMeter } from "../telemetry/usage.js";
import type { LineGuard } from "./line-guard.js";
import type { RelayEnd } from "./upstream-outcome.js";

/** Where a committed body goes (the client's Reply): false from write means wait for "drain". */
export interface Sink {
  write(chunk: Buffer | string): boolean;
  once(event: "drain", listener: () => void): unknown;
}

/** The backend's side (undici's DispatchController); none when the body is already complete. */
export interface Flow {
  pause(): void;
  resume(): void;
  abort(reason: Error): void;
}

export class BodyRelay {
  private held: Buffer[] = [];
  private ended: RelayEnd | undefined;
  private sink: Sink | undefined;
  private translator: StreamTranslator | undefined;
  private guard: LineGuard | undefined;
  private meter: UsageMeter | undefined;
  /** Stopped from this side (a line too long): what still arrives is dropped. */
  private stopped = false;
  private finish: ((e: RelayEnd) => void) | undefined;
  private waitingDrain = false;
  /** The backend may send: attached and not ended. */
  private flowing = false;

  constructor(private readonly flow: Flow | undefined) {}

  /** Sends what was held to `sink`, then the rest as it comes (each chunk seen by `meter` too); settles when the body ends. */
  attach(sink: Sink, translator: StreamTranslator | undefined, guard?: LineGuard, meter?: UsageMeter): Promise<RelayEnd> {
    this.sink = sink;
    this.meter = meter;
    this.translator = translator;
    this.guard = guard;
    const held = this.held;
    this.held = [];
    for (const c of held) this.write(c);
    if (this.stopped) return Promise.resolve(this.ended as RelayEnd);
    if (this.ended) {
      if (this.ended.ok) this.writeTail();
      return Promise.resolve(this.ended);
    }
    const p = new Promise<RelayEnd>((resolve) => (this.finish = resolve));
    this.flowing = true;
    if (!this.waitingDrain) this.flow?.resume();
    return p;
  }

  write(chunk: Buffer): void {
    const sink = this.sink;
    if (this.stopped) return;
    if (!sink) {
      this.held.push(chunk);
      return;
    }
    try {
      this.guard?.pass(chunk);
    } catch (err) {
      this.stop(err as Error);
      return;
    }
    this.meter?.push(chunk, performance.now());
    const out = this.translator ? this.translator.push(chunk) : chunk;
    if (out.length === 0) return;
    if (!sink.write(out) && !this.waitingDrain) {
      this.waitingDrain = true;
      this.flow?.pause();
      sink.once("drain", () => this.onDrain());
    }
  }

  /** The backend's body ended (or failed); a later drain resumes nothing. */
  end(e: RelayEnd): void {
    if (this.stopped) return;
    if (!this.sink) {
      this.ended = e;
      return;
    }
    this.flowing = false;
    if (e.ok) this.writeTail();
    this.finish?.(e);
    this.finish = undefined;
  }

  private stop(error: Error): void {
    this.ended = { ok: false, error };
    this.end(this.ended);
    this.stopped = true;
    this.flow?.abort(error);
  }

  private writeTail(): void {
    if (!this.translator || !this.sink) return;
    const tail = this.translator.end();
    if (tail.length > 0) this.sink.write(tail);
  }

  private onDrain(): void {
    this.waitingDrain = false;
    if (this.flowing) this.flow?.resume();
  }
}
