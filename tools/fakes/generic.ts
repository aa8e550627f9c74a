// A generic OpenAI-compatible server (LM Studio, LocalAI, a hosted API): /v1/models,
// chat/completions, completions and embeddings, with OpenAI's error shape
// {"error": {"message", "type", "param", "code"}} (platform.openai.com/docs/guides/error-codes).

import type { EngineRuntime, FakeContext } from "./context.js";
import type { EngineDialect } from "./dialect.js";
import { statusText } from "./dialect.js";
import { sendJson } from "./http.js";
import { nowSeconds, OpenAIRoutes } from "./openai.js";

function openaiError(status: number, message: string, type: string, code: string | null): unknown {
  return { error: { message, type, param: null, code } };
}

export function createGenericOpenAI(runtime: EngineRuntime): EngineDialect {
  const { options } = runtime;
  const created = nowSeconds();
  const send = (ctx: FakeContext, status: number, message: string, type: string, code: string | null): void =>
    sendJson(ctx.res, status, openaiError(status, message, type, code));
  const routes = new OpenAIRoutes(runtime, {
    streamStyle: "vllm",
    reasoningField: options.reasoningField ?? "reasoning_content",
    modelList: () => options.models.map((id) => ({ id, object: "model", created, owned_by: "organization-owner" })),
    resolveModel: (m) => (options.models.includes(m) ? m : undefined),
    modelNotFound: (ctx, model) =>
      send(ctx, 404, `The model \`${model}\` does not exist or you do not have access to it.`, "invalid_request_error", "model_not_found"),
    invalidRequest: (ctx, message) => send(ctx, 400, message, "invalid_request_error", null),
    rejectContext(ctx, promptTokens, maxTokens) {
      const limit = runtime.contextLength;
      if (promptTokens + (maxTokens ?? 0) <= limit) return false;
      send(
        ctx,
        400,
        `This model's maximum context length is ${limit} tokens. However, you requested ${promptTokens + (maxTokens ?? 0)} tokens (${promptTokens} in the messages, ${maxTokens ?? 0} in the completion). Please reduce the length of the messages or completion.`,
        "invalid_request_error",
        "context_length_exceeded",
      );
      return true;
    },
    admit: () => Promise.resolve(() => undefined),
  });
  return {
    handle: (ctx) => routes.handle(ctx),
    notFound: (ctx) => send(ctx, 404, `Invalid URL (${ctx.method} ${ctx.path})`, "invalid_request_error", null),
    unauthorized: (ctx) => send(ctx, 401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
    badRequest: (ctx, message) => send(ctx, 400, message, "invalid_request_error", null),
    errorBody: (_path, status) => openaiError(status, statusText(status), status === 429 ? "rate_limit_exceeded" : "server_error", null),
    isPublic: () => false,
    loadedModels: () => [...options.models],
    loadingModels: () => [],
    // No slots to wait for: a served model starts at once.
    readyFor: (m) => options.models.includes(m),
    reset: () => undefined,
  };
}
