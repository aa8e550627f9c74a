// Anthropic Messages at /v1/messages, as engines that speak it natively serve it: vLLM,
// llama.cpp (ggml-org/llama.cpp PR #17570) and Ollama >= 0.14.0 (release notes: "Anthropic API
// compatibility: support for the /v1/messages API"). Event order per the Messages streaming docs:
// message_start, per block content_block_start / _delta / _stop, message_delta, message_stop.
// vLLM (vllm/entrypoints/anthropic/api_router.py) and llama-server also expose
// /v1/messages/count_tokens; Ollama does not.

import { randomUUID } from "node:crypto";
import type { EngineRuntime, FakeContext } from "./context.js";
import type { Release } from "./dialect.js";
import type { GenerationPlan } from "./generation.js";
import { planGeneration } from "./generation.js";
import { endResponse, sendJson, sseEvent, startEventStream, writeChunk } from "./http.js";
import { toFakeRequest } from "./request.js";
import { applyChatTemplate, countTokens } from "./tokens.js";

export interface AnthropicFlavor {
  resolveModel(model: string): string | undefined;
  admit(ctx: FakeContext, model: string, body: Record<string, unknown>): Promise<Release | undefined>;
  countTokensRoute: boolean;
  /**
   * Ollama's Messages layer (observed on v0.17.4, scripts/e2e/FACTS.md): message_start carries
   * only an estimate of input_tokens, message_delta carries both counts, and no stop_sequence key
   * appears (anthropic/anthropic.go, EstimateInputTokens).
   */
  ollamaUsage?: boolean;
}

export function anthropicError(ctx: FakeContext, status: number, type: string, message: string): void {
  sendJson(ctx.res, status, { type: "error", error: { type, message }, request_id: `req_${randomUUID().replaceAll("-", "")}` });
}

/** Ollama's rough pre-count of a request (about four characters a token, at least one). */
function estimateInputTokens(messages: { content: string }[]): number {
  return Math.max(1, Math.round(messages.reduce((n, m) => n + m.content.length, 0) / 4));
}

const STOP_REASON: Record<string, string> = { stop: "end_turn", length: "max_tokens", tool_calls: "tool_use" };

function parseInput(args: string): unknown {
  try {
    return JSON.parse(args);
  } catch {
    return {};
  }
}

type Block = { type: "thinking" | "text" | "tool_use"; toolIndex?: number };

export class AnthropicRoutes {
  constructor(
    private readonly runtime: EngineRuntime,
    private readonly flavor: AnthropicFlavor,
  ) {}

  async handle(ctx: FakeContext): Promise<boolean> {
    if (ctx.method !== "POST") return false;
    if (ctx.path === "/v1/messages") {
      await this.messages(ctx);
      return true;
    }
    if (ctx.path === "/v1/messages/count_tokens" && this.flavor.countTokensRoute) {
      const body = await ctx.json();
      const request = toFakeRequest(this.runtime.options.engine, ctx.path, body, false);
      sendJson(ctx.res, 200, { input_tokens: countTokens(applyChatTemplate(request.messages)) });
      return true;
    }
    return false;
  }

  private async messages(ctx: FakeContext): Promise<void> {
    const body = await ctx.json();
    if (typeof body.model !== "string" || !Array.isArray(body.messages)) {
      return anthropicError(ctx, 400, "invalid_request_error", "`model` and `messages` are required");
    }
    const model = this.flavor.resolveModel(body.model);
    if (model === undefined) return anthropicError(ctx, 404, "not_found_error", `model '${body.model}' not found`);
    const request = toFakeRequest(this.runtime.options.engine, ctx.path, body, false);
    const promptTokens = countTokens(applyChatTemplate(request.messages));
    if (promptTokens >= this.runtime.contextLength) {
      return anthropicError(ctx, 400, "invalid_request_error", `prompt is too long: ${promptTokens} tokens > ${this.runtime.contextLength} maximum`);
    }
    const release = await this.flavor.admit(ctx, model, body);
    if (!release) return;
    try {
      const room = this.runtime.contextLength - promptTokens;
      const plan = planGeneration(this.runtime.reply(request), promptTokens, Math.min(request.maxTokens ?? room, room));
      if (request.stream) await this.stream(ctx, body.model, plan, estimateInputTokens(request.messages));
      else await this.whole(ctx, body.model, plan);
    } finally {
      release();
    }
  }

  private message(model: string, plan: GenerationPlan | undefined): Record<string, unknown> {
    const ollama = this.flavor.ollamaUsage === true;
    const content: Record<string, unknown>[] = [];
    if (plan) {
      if (plan.reasoning) content.push({ type: "thinking", thinking: plan.reasoning, signature: "" });
      if (plan.content) content.push({ type: "text", text: plan.content });
      for (const c of plan.toolCalls) content.push({ type: "tool_use", id: `toolu_${c.id}`, name: c.name, input: parseInput(c.arguments) });
    }
    return {
      id: `msg_${randomUUID().replaceAll("-", "")}`,
      type: "message",
      role: "assistant",
      model,
      content,
      stop_reason: plan ? (STOP_REASON[plan.finishReason] ?? "end_turn") : null,
      ...(ollama ? {} : { stop_sequence: null }),
      usage: { input_tokens: plan?.promptTokens ?? 0, output_tokens: plan ? plan.completionTokens : 0 },
    };
  }

  private async whole(ctx: FakeContext, model: string, plan: GenerationPlan): Promise<void> {
    if (!(await this.runtime.run(ctx, plan, () => true, { stream: false }))) return;
    sendJson(ctx.res, 200, this.message(model, plan));
  }

  private async stream(ctx: FakeContext, model: string, plan: GenerationPlan, estimate: number): Promise<void> {
    const ollama = this.flavor.ollamaUsage === true;
    startEventStream(ctx.res);
    const start = this.message(model, undefined);
    (start.usage as Record<string, number>).input_tokens = ollama ? estimate : plan.promptTokens;
    if (!(await writeChunk(ctx.res, sseEvent("message_start", { type: "message_start", message: start })))) {
      this.runtime.stats.generationsStarted += 1;
      this.runtime.stats.generationsAborted += 1;
      return;
    }
    let index = -1;
    let open: Block | undefined;
    const write = (event: string, data: Record<string, unknown>): Promise<boolean> => writeChunk(ctx.res, sseEvent(event, { type: event, ...data }));
    const close = async (): Promise<boolean> => {
      if (!open) return true;
      if (open.type === "thinking") {
        if (!(await write("content_block_delta", { index, delta: { type: "signature_delta", signature: "" } }))) return false;
      }
      open = undefined;
      return write("content_block_stop", { index });
    };
    const ok = await this.runtime.run(ctx, plan, async (event) => {
      if (event.kind === "tool") {
        if (event.first) {
          if (!(await close())) return false;
          index += 1;
          open = { type: "tool_use", toolIndex: event.index };
          return write("content_block_start", { index, content_block: { type: "tool_use", id: `toolu_${event.id}`, name: event.name, input: {} } });
        }
        return write("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: event.argumentsFragment } });
      }
      const type = event.kind === "reasoning" ? "thinking" : "text";
      if (open?.type !== type) {
        if (!(await close())) return false;
        index += 1;
        open = { type };
        const block = type === "thinking" ? { type, thinking: "" } : { type, text: "" };
        if (!(await write("content_block_start", { index, content_block: block }))) return false;
      }
      const delta = type === "thinking" ? { type: "thinking_delta", thinking: event.text } : { type: "text_delta", text: event.text };
      return write("content_block_delta", { index, delta });
    });
    if (!ok) {
      ctx.res.destroy();
      return;
    }
    await close();
    await write("message_delta", {
      delta: { stop_reason: STOP_REASON[plan.finishReason] ?? "end_turn", ...(ollama ? {} : { stop_sequence: null }) },
      usage: ollama ? { input_tokens: plan.promptTokens, output_tokens: plan.completionTokens } : { output_tokens: plan.completionTokens },
    });
    await write("message_stop", {});
    endResponse(ctx.res);
  }
}
