// llama.cpp's llama-server: /health 503 {"error":{"code":503,"message":"Loading model",
// "type":"unavailable_error"}} while the model loads, then {"status":"ok"} (tools/server/README.md,
// "GET /health"); every other route also answers 503 while loading. /props reports
// default_generation_settings.n_ctx and total_slots; /slots, /tokenize, /apply-template; OpenAI
// routes; /v1/messages in builds after ggml-org/llama.cpp PR #17570. One model per server: the
// request's `model` field is not checked.

import { AnthropicRoutes } from "./anthropic.js";
import type { EngineRuntime, FakeContext } from "./context.js";
import type { EngineDialect } from "./dialect.js";
import { sendJson } from "./http.js";
import { nowSeconds, OpenAIRoutes } from "./openai.js";
import type { OpenAIFlavor } from "./openai.js";
import { toFakeRequest } from "./request.js";
import { Slots } from "./slots.js";
import { applyChatTemplate, tokenId, tokenPieces } from "./tokens.js";

const ERROR_TYPE: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  404: "not_found_error",
  500: "server_error",
  501: "not_supported_error",
  503: "unavailable_error",
};

function llamaError(status: number, message: string, type?: string): { error: Record<string, unknown> } {
  return { error: { code: status, message, type: type ?? ERROR_TYPE[status] ?? "server_error" } };
}

// llama-server's public routes (no API key needed): health and model listing.
const PUBLIC = new Set(["/health", "/v1/health", "/models", "/v1/models"]);

export function createLlamaCpp(runtime: EngineRuntime): EngineDialect {
  const { options } = runtime;
  const slotCount = options.numParallel ?? 4;
  let slots = new Slots(slotCount);
  let startedAt = Date.now();
  const created = nowSeconds();
  const loading = (): boolean => Date.now() - startedAt < (options.loadDelayMs ?? 0);
  const send = (ctx: FakeContext, status: number, message: string, type?: string): void => sendJson(ctx.res, status, llamaError(status, message, type));
  const alias = options.models[0] ?? "model.gguf";
  const admit = (ctx: FakeContext): Promise<(() => void) | undefined> => slots.acquire(ctx.signal);

  const flavor: OpenAIFlavor = {
    streamStyle: "vllm",
    // llama-server returns reasoning as reasoning_content (--reasoning-format deepseek, the default).
    reasoningField: "reasoning_content",
    modelList: () => [
      {
        id: alias,
        object: "model",
        created,
        owned_by: "llamacpp",
        meta: { n_ctx_train: runtime.contextLength, n_vocab: 32000 },
      },
    ],
    resolveModel: () => alias,
    modelNotFound: (ctx, model) => send(ctx, 404, `model ${model} not found`),
    invalidRequest: (ctx, message) => send(ctx, 400, message),
    rejectContext(ctx, promptTokens) {
      // A prompt that fills the context is refused; max_tokens beyond it just stops at the end.
      if (promptTokens < runtime.contextLength) return false;
      sendJson(ctx.res, 400, {
        error: {
          code: 400,
          // Wording of recent builds: "request (4476 tokens) exceeds the available context size (4096 tokens)".
          message: `request (${promptTokens} tokens) exceeds the available context size (${runtime.contextLength} tokens)`,
          type: "exceed_context_size_error",
          n_prompt_tokens: promptTokens,
          n_ctx: runtime.contextLength,
        },
      });
      return true;
    },
    // The last object of an answer carries `timings` (tools/server/README.md): prompt_n evaluated,
    // cache_n reused from the slot's cache, predicted_n generated, and their speeds.
    report: (plan, cached, t) => ({
      last: {
        timings: {
          cache_n: cached,
          prompt_n: plan.promptTokens - cached,
          prompt_ms: t.promptMs,
          prompt_per_token_ms: t.promptMs / Math.max(1, plan.promptTokens - cached),
          prompt_per_second: ((plan.promptTokens - cached) * 1000) / Math.max(t.promptMs, 1e-3),
          predicted_n: plan.completionTokens,
          predicted_ms: t.predictedMs,
          predicted_per_token_ms: t.predictedMs / Math.max(1, plan.completionTokens),
          predicted_per_second: (plan.completionTokens * 1000) / Math.max(t.predictedMs, 1e-3),
        },
      },
    }),
    admit,
  };
  const openai = new OpenAIRoutes(runtime, flavor);
  const anthropic = new AnthropicRoutes(runtime, { resolveModel: () => alias, admit, countTokensRoute: true });

  return {
    async handle(ctx) {
      if (loading()) {
        send(ctx, 503, "Loading model");
        return true;
      }
      const key = `${ctx.method} ${ctx.path}`;
      switch (key) {
        case "GET /health":
        case "GET /v1/health":
          sendJson(ctx.res, 200, { status: "ok" });
          return true;
        case "GET /props":
          sendJson(ctx.res, 200, {
            default_generation_settings: { n_ctx: runtime.contextLength, params: {} },
            total_slots: slotCount,
            model_path: `/models/${alias}`,
            chat_template: "toy",
            build_info: "fake",
          });
          return true;
        case "GET /slots":
          sendJson(
            ctx.res,
            200,
            Array.from({ length: slotCount }, (_, id) => ({ id, n_ctx: runtime.contextLength, is_processing: id < slots.inUse })),
          );
          return true;
        case "POST /tokenize": {
          const body = await ctx.json();
          const pieces = tokenPieces(typeof body.content === "string" ? body.content : "");
          const tokens = body.with_pieces === true ? pieces.map((piece) => ({ id: tokenId(piece), piece })) : pieces.map(tokenId);
          sendJson(ctx.res, 200, { tokens });
          return true;
        }
        case "POST /apply-template": {
          const body = await ctx.json();
          sendJson(ctx.res, 200, { prompt: applyChatTemplate(toFakeRequest("llamacpp", ctx.path, body, false).messages) });
          return true;
        }
        case "GET /models":
          sendJson(ctx.res, 200, { object: "list", data: flavor.modelList() });
          return true;
      }
      if (options.anthropic && (await anthropic.handle(ctx))) return true;
      return openai.handle(ctx);
    },
    notFound: (ctx) => send(ctx, 404, "File Not Found"),
    unauthorized: (ctx) => send(ctx, 401, "Invalid API Key"),
    badRequest: (ctx, message) => send(ctx, 400, message),
    errorBody: (_path, status) => llamaError(status, status === 503 ? "Loading model" : "fault injected"),
    isPublic: (path) => PUBLIC.has(path),
    loadedModels: () => (loading() ? [] : [alias]),
    loadingModels: () => (loading() ? [alias] : []),
    readyFor: () => !loading() && slots.inUse < slotCount,
    reset: () => {
      // A restarted llama-server loads its model again.
      startedAt = Date.now();
      slots = new Slots(slotCount);
    },
  };
}
