// OpenAI-compatible routes (/v1/models, /v1/chat/completions, /v1/completions, /v1/embeddings)
// shared by every engine; each engine supplies its flavor (error shapes, model rules, limits).

import { randomUUID } from "node:crypto";
import type { EngineRuntime, FakeContext } from "./context.js";
import type { Release } from "./dialect.js";
import type { GenerationEvent, GenerationPlan } from "./generation.js";
import { planGeneration } from "./generation.js";
import { endResponse, sendJson, sseData, startEventStream, writeChunk } from "./http.js";
import { isRecord, toFakeRequest } from "./request.js";
import { applyChatTemplate, countTokens, tokenize } from "./tokens.js";

export interface OpenAIFlavor {
  /**
   * How chat streams look. "vllm": a first chunk with the role, then bare deltas, tool calls as
   * id+name then argument fragments. "ollama": every delta carries role "assistant", no role-only
   * chunk, each tool call arrives whole in one delta (ollama openai/openai.go ToChunk).
   */
  streamStyle: "vllm" | "ollama";
  /** Extra top-level fields on every completion object (Ollama: system_fingerprint "fp_ollama"). */
  extraFields?: Record<string, unknown>;
  /** Name of the reasoning field in messages and deltas, or undefined to drop reasoning. */
  reasoningField: "reasoning" | "reasoning_content" | undefined;
  modelList(): Record<string, unknown>[];
  /** The served model a request's `model` names, or undefined when unknown. */
  resolveModel(model: string): string | undefined;
  modelNotFound(ctx: FakeContext, model: string): void;
  invalidRequest(ctx: FakeContext, message: string): void;
  /** A required field is missing; an engine that echoes the request in validation errors (vLLM) says so its way. */
  missingField?(ctx: FakeContext, field: string, body: Record<string, unknown>): void;
  /** Answers (and returns true) when prompt plus max_tokens does not fit the context. */
  rejectContext(ctx: FakeContext, promptTokens: number, maxTokens: number | undefined): boolean;
  /**
   * What the engine adds to an answer's usage and to its last object, for a prompt whose first
   * `cached` tokens matched the previous prompt (the engine's prefix cache), and its times.
   */
  report?(
    plan: GenerationPlan,
    cached: number,
    times: { promptMs: number; predictedMs: number },
  ): { usage?: Record<string, unknown>; last?: Record<string, unknown> };
  /** Waits for a slot (and a loaded model); undefined when the request was answered or the client left. */
  admit(ctx: FakeContext, model: string, body: Record<string, unknown>): Promise<Release | undefined>;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A deterministic 8-dimension unit vector per text, from its token ids. */
export function embeddingOf(text: string): number[] {
  const ids = tokenize(text);
  const v = Array.from({ length: 8 }, (_, i) => ids.reduce((s, id, j) => s + Math.sin(id * (i + 1) + j), 0.1 * (i + 1)));
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

function usageOf(plan: GenerationPlan): Record<string, unknown> {
  return {
    prompt_tokens: plan.promptTokens,
    completion_tokens: plan.completionTokens,
    total_tokens: plan.promptTokens + plan.completionTokens,
  };
}

function chatDelta(event: GenerationEvent, flavor: OpenAIFlavor): Record<string, unknown> | undefined {
  const whole = flavor.streamStyle === "ollama";
  const role = whole ? { role: "assistant", content: "" } : {};
  switch (event.kind) {
    case "content":
      return { ...role, content: event.text };
    case "reasoning":
      return flavor.reasoningField ? { ...role, [flavor.reasoningField]: event.text } : undefined;
    case "tool":
      if (whole) {
        if (!event.first) return undefined;
        return { ...role, tool_calls: [{ id: event.id, index: event.index, type: "function", function: { name: event.name, arguments: event.arguments } }] };
      }
      // vLLM streams id, type and name in the first tool delta, then argument fragments
      // (docs.vllm.ai "Tool Calling", streaming: OpenAI ChoiceDeltaToolCall pieces).
      return {
        tool_calls: [
          event.first
            ? { index: event.index, id: event.id, type: "function", function: { name: event.name, arguments: "" } }
            : { index: event.index, function: { arguments: event.argumentsFragment } },
        ],
      };
  }
}

/** What the prefix cache held for one request, and when its generation began. */
interface Prefix {
  cached: number;
  started: number;
}

/** How many leading tokens two prompts share. */
function sharedPrefix(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

export class OpenAIRoutes {
  /** The last prompt's tokens: the engine's prefix cache holds them. */
  private lastPrompt: number[] = [];

  constructor(
    private readonly runtime: EngineRuntime,
    private readonly flavor: OpenAIFlavor,
  ) {}

  async handle(ctx: FakeContext): Promise<boolean> {
    const key = `${ctx.method} ${ctx.path}`;
    switch (key) {
      case "GET /v1/models":
        sendJson(ctx.res, 200, { object: "list", data: this.flavor.modelList() });
        return true;
      case "POST /v1/chat/completions":
        await this.generate(ctx, "chat");
        return true;
      case "POST /v1/completions":
        await this.generate(ctx, "completion");
        return true;
      case "POST /v1/embeddings":
        await this.embeddings(ctx);
        return true;
      default:
        return false;
    }
  }

  private missing(ctx: FakeContext, field: string, body: Record<string, unknown>): void {
    if (this.flavor.missingField) this.flavor.missingField(ctx, field, body);
    else this.flavor.invalidRequest(ctx, `field \`${field}\` is required`);
  }

  /** Common front half: body, model, prompt size, context check, slot. */
  private async prepare(ctx: FakeContext): Promise<{ body: Record<string, unknown>; model: string; release: Release } | undefined> {
    const body = await ctx.json();
    if (typeof body.model !== "string" || body.model === "") {
      this.missing(ctx, "model", body);
      return undefined;
    }
    const model = this.flavor.resolveModel(body.model);
    if (model === undefined) {
      this.flavor.modelNotFound(ctx, body.model);
      return undefined;
    }
    const release = await this.flavor.admit(ctx, model, body);
    if (!release) return undefined;
    return { body, model, release };
  }

  private async generate(ctx: FakeContext, kind: "chat" | "completion"): Promise<void> {
    const body = await ctx.json();
    if (typeof body.model !== "string" || body.model === "") return this.missing(ctx, "model", body);
    if (kind === "chat" && !Array.isArray(body.messages)) return this.missing(ctx, "messages", body);
    if (kind === "completion" && body.prompt === undefined) return this.missing(ctx, "prompt", body);
    const model = this.flavor.resolveModel(body.model);
    if (model === undefined) return this.flavor.modelNotFound(ctx, body.model);
    const request = toFakeRequest(this.runtime.options.engine, ctx.path, body, false);
    const promptText = kind === "chat" ? applyChatTemplate(request.messages) : (request.prompt ?? "");
    const promptTokens = countTokens(promptText);
    if (this.flavor.rejectContext(ctx, promptTokens, request.maxTokens)) return;
    const release = await this.flavor.admit(ctx, model, body);
    if (!release) return;
    const ids = tokenize(promptText);
    const prefix: Prefix = { cached: sharedPrefix(ids, this.lastPrompt), started: performance.now() };
    this.lastPrompt = ids;
    try {
      const room = Math.max(0, this.runtime.contextLength - promptTokens);
      const plan = planGeneration(this.runtime.reply(request), promptTokens, Math.min(request.maxTokens ?? room, room));
      const served = body.model;
      if (request.stream) await this.stream(ctx, kind, served, plan, body, prefix);
      else await this.whole(ctx, kind, served, plan, prefix);
    } finally {
      release();
    }
  }

  /** The engine's additions for the answer being written (see OpenAIFlavor.report). */
  private report(plan: GenerationPlan, prefix: Prefix): { usage: Record<string, unknown>; last: Record<string, unknown> } {
    const elapsed = performance.now() - prefix.started;
    const r = this.flavor.report?.(plan, Math.min(prefix.cached, plan.promptTokens), { promptMs: elapsed / 4, predictedMs: (elapsed * 3) / 4 });
    return { usage: { ...usageOf(plan), ...r?.usage }, last: r?.last ?? {} };
  }

  private async whole(ctx: FakeContext, kind: "chat" | "completion", model: string, plan: GenerationPlan, prefix: Prefix): Promise<void> {
    if (!(await this.runtime.run(ctx, plan, () => true, { stream: false }))) return;
    const report = this.report(plan, prefix);
    const created = nowSeconds();
    if (kind === "completion") {
      sendJson(ctx.res, 200, {
        id: `cmpl-${randomUUID()}`,
        object: "text_completion",
        created,
        model,
        ...this.flavor.extraFields,
        choices: [{ index: 0, text: plan.reasoning + plan.content, logprobs: null, finish_reason: plan.finishReason }],
        usage: report.usage,
        ...report.last,
      });
      return;
    }
    const message: Record<string, unknown> = { role: "assistant", content: plan.content === "" && plan.toolCalls.length > 0 ? null : plan.content };
    if (this.flavor.reasoningField && plan.reasoning !== "") message[this.flavor.reasoningField] = plan.reasoning;
    if (plan.toolCalls.length > 0) {
      message.tool_calls = plan.toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }));
    }
    sendJson(ctx.res, 200, {
      id: `chatcmpl-${randomUUID()}`,
      object: "chat.completion",
      created,
      model,
      ...this.flavor.extraFields,
      choices: [{ index: 0, message, logprobs: null, finish_reason: plan.finishReason }],
      usage: report.usage,
      ...report.last,
    });
  }

  private async stream(
    ctx: FakeContext,
    kind: "chat" | "completion",
    model: string,
    plan: GenerationPlan,
    body: Record<string, unknown>,
    prefix: Prefix,
  ): Promise<void> {
    const id = kind === "chat" ? `chatcmpl-${randomUUID()}` : `cmpl-${randomUUID()}`;
    const created = nowSeconds();
    const object = kind === "chat" ? "chat.completion.chunk" : "text_completion";
    const chunk = (choice: Record<string, unknown>): Record<string, unknown> => ({
      id,
      object,
      created,
      model,
      ...this.flavor.extraFields,
      choices: [{ index: 0, logprobs: null, finish_reason: null, ...choice }],
    });
    startEventStream(ctx.res);
    // The first chat chunk announces the role with empty content, as vLLM and OpenAI do.
    if (kind === "chat" && this.flavor.streamStyle === "vllm" && !(await writeChunk(ctx.res, sseData(chunk({ delta: { role: "assistant", content: "" } }))))) {
      this.runtime.stats.generationsStarted += 1;
      this.runtime.stats.generationsAborted += 1;
      return;
    }
    const ok = await this.runtime.run(ctx, plan, (event) => {
      if (kind === "completion") {
        if (event.kind === "tool") return true;
        return writeChunk(ctx.res, sseData(chunk({ text: event.text })));
      }
      const delta = chatDelta(event, this.flavor);
      return delta ? writeChunk(ctx.res, sseData(chunk({ delta }))) : true;
    });
    if (!ok) {
      ctx.res.destroy();
      return;
    }
    const endDelta = this.flavor.streamStyle === "ollama" ? { role: "assistant", content: "" } : { content: "" };
    const last = kind === "chat" ? { delta: endDelta, finish_reason: plan.finishReason } : { text: "", finish_reason: plan.finishReason };
    const report = this.report(plan, prefix);
    await writeChunk(ctx.res, sseData({ ...chunk(last), ...report.last }));
    // With stream_options.include_usage a last chunk carries usage and no choices
    // (docs.vllm.ai OpenAI-compatible server; OpenAI API "stream_options").
    const options = body.stream_options;
    if (isRecord(options) && options.include_usage === true) {
      await writeChunk(ctx.res, sseData({ id, object, created, model, ...this.flavor.extraFields, choices: [], usage: report.usage }));
    }
    endResponse(ctx.res, "data: [DONE]\n\n");
  }

  private async embeddings(ctx: FakeContext): Promise<void> {
    const prepared = await this.prepare(ctx);
    if (!prepared) return;
    try {
      const input = prepared.body.input;
      const texts = Array.isArray(input) ? input.map((x) => (typeof x === "string" ? x : JSON.stringify(x))) : [typeof input === "string" ? input : ""];
      const tokens = texts.reduce((s, t) => s + countTokens(t), 0);
      // encoding_format "base64" (the openai SDK's default) packs little-endian float32s.
      const base64 = prepared.body.encoding_format === "base64";
      const encode = (v: number[]): number[] | string => (base64 ? Buffer.from(new Float32Array(v).buffer).toString("base64") : v);
      sendJson(ctx.res, 200, {
        object: "list",
        data: texts.map((t, index) => ({ object: "embedding", index, embedding: encode(embeddingOf(t)) })),
        model: prepared.body.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      });
    } finally {
      prepared.release();
    }
  }
}
