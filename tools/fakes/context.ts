// What a route handler gets for one request, and the generation loop every dialect shares.

import type { IncomingMessage, ServerResponse } from "node:http";
import { setImmediate as yieldTurn } from "node:timers/promises";
import type { GenerationEvent, GenerationPlan } from "./generation.js";
import { pause, untilAborted } from "./http.js";
import { isRecord } from "./request.js";
import type { FakeEngineOptions, FakeReply, FakeRequest, FakeStats } from "./types.js";

export class BadRequestBody extends Error {}

export interface FakeContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  /** Aborts when the client goes away before the response has finished. */
  signal: AbortSignal;
  /** The stall-after-headers fault applies to this request. */
  stall: boolean;
  /** Parsed JSON object body; throws BadRequestBody when it is not one. */
  json(): Promise<Record<string, unknown>>;
}

export interface EngineRuntime {
  options: FakeEngineOptions;
  stats: FakeStats;
  contextLength: number;
  reply(req: FakeRequest): FakeReply;
  /**
   * Plays a plan event by event (one per chunk delay). Counts the generation as started, then
   * completed or aborted; returns false when the client left (or a fault stalled it) midway.
   */
  run(ctx: FakeContext, plan: GenerationPlan, emit: (e: GenerationEvent) => Promise<boolean> | boolean, mode?: { stream: boolean }): Promise<boolean>;
}

export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequestBody("invalid JSON in request body");
  }
  if (!isRecord(value)) throw new BadRequestBody("request body must be a JSON object");
  return value;
}

export function createRuntime(
  options: FakeEngineOptions,
  stats: FakeStats,
  defaultReply: (req: FakeRequest) => FakeReply,
  onGenerationEnd: () => void = () => undefined,
): EngineRuntime {
  const delay = options.chunkDelayMs ?? 0;
  return {
    options,
    stats,
    contextLength: options.contextLength ?? 32768,
    reply: options.reply ?? defaultReply,
    async run(ctx, plan, emit, mode) {
      stats.generationsStarted += 1;
      stats.activeGenerations += 1;
      stats.maxActiveGenerations = Math.max(stats.maxActiveGenerations, stats.activeGenerations);
      try {
        // llama-server notices a gone client only while streaming; a non-streamed generation runs
        // to its end and holds its slot (why the router streams internally and assembles:
        // test/router/faces/llamacpp-assembled.test.ts).
        const detached = options.engine === "llamacpp" && mode?.stream === false && options.cancelNonStreaming !== true;
        return await play(ctx, plan, emit, detached ? new AbortController().signal : ctx.signal);
      } finally {
        stats.activeGenerations -= 1;
        onGenerationEnd();
      }
    },
  };

  async function play(ctx: FakeContext, plan: GenerationPlan, emit: (e: GenerationEvent) => Promise<boolean> | boolean, signal: AbortSignal): Promise<boolean> {
    const aborted = (): false => {
      stats.generationsAborted += 1;
      return false;
    };
    if (ctx.stall && !ctx.res.headersSent) {
      ctx.res.writeHead(200, { "content-type": "application/json" });
      ctx.res.flushHeaders();
    }
    let emitted = 0;
    for (const event of plan.events) {
      if (ctx.stall && emitted > 0) break;
      if (delay > 0) await pause(delay, signal);
      else await yieldTurn();
      if (signal.aborted) return aborted();
      if (!(await emit(event))) return aborted();
      emitted += 1;
    }
    if (ctx.stall) {
      // Headers (and the first chunk) are out; the engine now says nothing until the client leaves.
      await untilAborted(ctx.signal);
      return aborted();
    }
    if (delay > 0) await pause(delay, signal);
    else await yieldTurn();
    if (signal.aborted) return aborted();
    stats.generationsCompleted += 1;
    return true;
  }
}
