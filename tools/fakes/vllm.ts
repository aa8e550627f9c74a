// vLLM's OpenAI-compatible server (vllm serve): /health, /v1/models with max_model_len,
// /tokenize, OpenAI routes, optional /v1/messages. Error bodies use vLLM's ErrorResponse,
// {"error": {"message", "type", "param", "code"}} (seen in vLLM 0.10+ 400 answers, e.g.
// "'max_tokens' or 'max_completion_tokens' is too large: 8000. This model's maximum context length
// is 4096 tokens and your request has 2778 input tokens (8000 > 4096 - 2778).").

import { AnthropicRoutes } from "./anthropic.js";
import type { EngineRuntime, FakeContext } from "./context.js";
import type { EngineDialect } from "./dialect.js";
import { statusText } from "./dialect.js";
import { sendJson } from "./http.js";
import { nowSeconds, OpenAIRoutes } from "./openai.js";
import type { OpenAIFlavor } from "./openai.js";
import { toFakeRequest } from "./request.js";
import { applyChatTemplate, tokenize } from "./tokens.js";

function vllmError(status: number, type: string, message: string, param: string | null = null): unknown {
  return { error: { message, type, param, code: status } };
}

/** A JSON value as Python's repr() prints the dict pydantic parsed it into. */
function pythonRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return `'${v.replaceAll("\\", "\\\\").replaceAll("'", "\\'").replaceAll("\n", "\\n")}'`;
  if (Array.isArray(v)) return `[${v.map(pythonRepr).join(", ")}]`;
  if (typeof v === "object")
    return `{${Object.entries(v)
      .map(([k, x]) => `${pythonRepr(k)}: ${pythonRepr(x)}`)
      .join(", ")}}`;
  return "None";
}

export function createVllm(runtime: EngineRuntime): EngineDialect {
  const { options } = runtime;
  const created = nowSeconds();
  const send = (ctx: FakeContext, status: number, type: string, message: string): void => sendJson(ctx.res, status, vllmError(status, type, message));
  const resolveModel = (m: string): string | undefined => (options.models.includes(m) ? m : undefined);
  // vLLM batches continuously: no slot to wait for.
  const admit = (): Promise<() => void> => Promise.resolve(() => undefined);
  const flavor: OpenAIFlavor = {
    streamStyle: "vllm",
    // vLLM renamed reasoning_content to reasoning (vllm-project/vllm PR #27752, RFC #27755).
    reasoningField: options.reasoningField ?? "reasoning",
    modelList: () =>
      options.models.map((id) => ({
        id,
        object: "model",
        created,
        owned_by: "vllm",
        root: id,
        parent: null,
        max_model_len: runtime.contextLength,
      })),
    resolveModel,
    // e.g. {"message":"The model `x` does not exist.","type":"NotFoundError","code":404}
    modelNotFound: (ctx, model) => send(ctx, 404, "NotFoundError", `The model \`${model}\` does not exist.`),
    invalidRequest: (ctx, message) => send(ctx, 400, "BadRequestError", message),
    // vLLM answers a request that fails validation with 400 "N validation error(s):" followed by
    // pydantic's error dicts, each with the `input` that failed: for a missing field, the whole
    // request body, prompt included (vllm/entrypoints/serve/utils/server_utils.py,
    // validation_exception_handler; plain FastAPI answers the same list as 422 {"detail": [...]}).
    missingField: (ctx, field, body) =>
      sendJson(
        ctx.res,
        400,
        vllmError(
          400,
          "Bad Request",
          `1 validation error:\n  {'type': 'missing', 'loc': ('body', '${field}'), 'msg': 'Field required', 'input': ${pythonRepr(body)}}`,
          `body.${field}`,
        ),
      ),
    rejectContext(ctx, promptTokens, maxTokens) {
      const limit = runtime.contextLength;
      if (promptTokens > limit) {
        send(
          ctx,
          400,
          "BadRequestError",
          `This model's maximum context length is ${limit} tokens. However, your request has ${promptTokens} input tokens. Please reduce the length of the input messages.`,
        );
        return true;
      }
      if (maxTokens !== undefined && promptTokens + maxTokens > limit) {
        send(
          ctx,
          400,
          "BadRequestError",
          `'max_tokens' or 'max_completion_tokens' is too large: ${maxTokens}. This model's maximum context length is ${limit} tokens and your request has ${promptTokens} input tokens (${maxTokens} > ${limit} - ${promptTokens}).`,
        );
        return true;
      }
      return false;
    },
    admit,
    // --enable-prompt-tokens-details: cached_tokens counts prefix cache hits, whole blocks of 16 tokens.
    ...(options.promptTokensDetails
      ? { report: (_plan: unknown, cached: number) => ({ usage: { prompt_tokens_details: { cached_tokens: Math.floor(cached / 16) * 16 } } }) }
      : {}),
  };
  const openai = new OpenAIRoutes(runtime, flavor);
  const anthropic = new AnthropicRoutes(runtime, { resolveModel, admit, countTokensRoute: true });

  return {
    async handle(ctx) {
      if (ctx.method === "GET" && ctx.path === "/health") {
        // vLLM answers /health with 200 and an empty body once the engine is up.
        ctx.res.writeHead(200, { "content-length": 0 });
        ctx.res.end();
        return true;
      }
      if (ctx.method === "POST" && ctx.path === "/tokenize") {
        const body = await ctx.json();
        if (typeof body.model === "string" && resolveModel(body.model) === undefined) {
          flavor.modelNotFound(ctx, body.model);
          return true;
        }
        const request = toFakeRequest("vllm", ctx.path, body, false);
        const text = Array.isArray(body.messages) ? applyChatTemplate(request.messages) : (request.prompt ?? "");
        const tokens = tokenize(text);
        sendJson(ctx.res, 200, { count: tokens.length, max_model_len: runtime.contextLength, tokens, token_strs: null });
        return true;
      }
      if (options.anthropic && (await anthropic.handle(ctx))) return true;
      return openai.handle(ctx);
    },
    notFound: (ctx) => sendJson(ctx.res, 404, { detail: "Not Found" }),
    // vLLM's --api-key middleware answers {"error": "Unauthorized"} with 401.
    unauthorized: (ctx) => sendJson(ctx.res, 401, { error: "Unauthorized" }),
    badRequest: (ctx, message) => send(ctx, 400, "BadRequestError", message),
    errorBody: (_path, status) => vllmError(status, statusText(status).replaceAll(" ", "") + "Error", statusText(status)),
    // The API key guards /v1 routes only; /health, /tokenize and /metrics stay open.
    isPublic: (path) => !path.startsWith("/v1"),
    loadedModels: () => [...options.models],
    loadingModels: () => [],
    // Continuous batching: a served model never waits for a slot.
    readyFor: (m) => options.models.includes(m),
    reset: () => undefined,
  };
}
