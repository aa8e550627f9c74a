// The Anthropic Messages face: POST /v1/messages, /api/v1/messages and /api/messages, so one base URL
// (https://<domain>/api) serves both SDK families: Anthropic's SDK appends /v1/messages (Claude Code,
// OpenClaw), the Vercel AI SDK's Anthropic provider only /messages (its default base ends in /v1;
// test/router/faces/anthropic-bases.test.ts). `?beta=true` is accepted because the router matches
// paths without their query. count_tokens is served under the same three prefixes; no Ollama path
// uses these names.
// Unknown `anthropic-beta` values are tolerated: headers other than auth are never inspected.
import {
  anthropicCountTokensRequestSchema,
  anthropicMessagesRequestSchema,
  anthropicToOpenAI,
  AnthropicStreamTranslator,
  contextOverflowError,
  countTokensResponse,
  estimateInputTokens,
  nativeMessagesBody,
  openAIToAnthropic,
  resolveClaudeModel,
  type AnthropicCountTokensRequest,
  type AnthropicMessagesRequest,
  type OpenAIChatCompletion,
} from "../../translate/index.js";
import type { ProbeIO } from "../../engines/types.js";
import { invalidRequest, isRouterError, unknownPath } from "../../errors.js";
import { bodyWithModel, dropRedirects, underPrefixes } from "../prologue.js";
import { requestIssuesMessage } from "../request-issues.js";
import type { Face, FaceRequest, FaceRoute, LocalContext, ParsedRequest, PlanResult, PlanTarget, Rendered, RouterError } from "../types.js";
import { countPromptTokens } from "./count.js";
import { NdjsonModelEcho, SseModelEcho } from "../echo-model.js";
import { anthropicInBandError, anthropicPing, renderAnthropicError } from "./errors.js";
import { clampOf, fitOutput } from "../fit.js";
import { anthropicMode } from "./mode.js";
import { streamInStead } from "../../translate/openai-assemble.js";
import { streamsInStead, WholeBodyTranslator } from "../whole-body.js";

function routes(): FaceRoute[] {
  return underPrefixes(
    [
      { method: "POST", path: "/messages", kind: "messages" },
      { method: "POST", path: "/messages/count_tokens", kind: "count_tokens" },
    ],
    ["/api"],
  );
}

function parse(route: FaceRoute, body: unknown): ParsedRequest | RouterError {
  const m = bodyWithModel(body, { invalid: "model: must be a non-empty string" });
  if (isRouterError(m)) return m;
  const schema = route.kind === "messages" ? anthropicMessagesRequestSchema : anthropicCountTokensRequestSchema;
  const r = schema.safeParse(body);
  if (!r.success) return invalidRequest(requestIssuesMessage(r.error));
  const data = dropRedirects(r.data);
  return { route, clientModel: m.model, stream: route.kind === "messages" && data.stream === true, body: data };
}

/**
 * The engine's own POST /v1/messages/count_tokens, when it serves Messages natively and has one:
 * vLLM (its Messages API counts tokens; vllm-project/vllm#49533 calls it "already supported") and
 * llama.cpp (ggml-org/llama.cpp PR #17570). Ollama's Anthropic compatibility has no count_tokens, so
 * it keeps the estimate. An older engine without the route (404) falls back to the other counters.
 */
async function nativeCount(req: FaceRequest, target: PlanTarget, io: ProbeIO | undefined): Promise<number | undefined> {
  if (!io || (target.engine !== "vllm" && target.engine !== "llamacpp")) return undefined;
  if (anthropicMode(target.anthropic, target.engine, target.version) !== "native") return undefined;
  const body = nativeMessagesBody(req.body, target.model);
  delete body.max_tokens;
  delete body.stream;
  try {
    const r = await io.post("/v1/messages/count_tokens", body);
    const n = r.status === 200 && typeof r.json === "object" && r.json !== null ? (r.json as { input_tokens?: unknown }).input_tokens : undefined;
    return typeof n === "number" && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

async function countTokens(req: FaceRequest, target: PlanTarget, io: ProbeIO | undefined): Promise<PlanResult> {
  const native = await nativeCount(req, target, io);
  const count = native !== undefined ? { tokens: native, source: "native" } : await countPromptTokens(req.body as AnthropicCountTokensRequest, target.engine, target.model, io);
  const body = JSON.stringify(countTokensResponse(count.tokens));
  return { local: { status: 200, headers: { "content-type": "application/json", "x-router-token-count": count.source }, body } };
}

/** max_tokens that fits the target's context, or the "prompt is too long" Claude Code compacts on. */
async function fitMessages(req: AnthropicMessagesRequest, target: PlanTarget, io: ProbeIO | undefined): Promise<{ maxTokens: number; promptTokens?: number } | RouterError> {
  const fit = await fitOutput({
    requested: req.max_tokens,
    contextLength: target.contextLength,
    estimate: estimateInputTokens(req),
    count: () => countPromptTokens(req, target.engine, target.model, io),
  });
  if (!fit.fits) return contextOverflowError("anthropic", fit.promptTokens, fit.contextLength);
  return { maxTokens: fit.maxTokens ?? req.max_tokens, ...(fit.promptTokens !== undefined ? { promptTokens: fit.promptTokens } : {}) };
}

async function planMessages(req: FaceRequest, target: PlanTarget, io: ProbeIO | undefined): Promise<PlanResult> {
  const body = req.body as AnthropicMessagesRequest;
  const fit = await fitMessages(body, target, io);
  if (isRouterError(fit)) return { skip: fit };
  const clientModel = req.clientModel;
  const clamp = clampOf(body.max_tokens, fit.maxTokens);
  if (anthropicMode(target.anthropic, target.engine, target.version) === "native") {
    const upstream = JSON.stringify(nativeMessagesBody(body, target.model, fit.maxTokens));
    return { method: "POST", path: "/v1/messages", body: upstream, translator: req.stream ? new SseModelEcho(clientModel) : new NdjsonModelEcho(clientModel), ...clamp };
  }
  const openai = anthropicToOpenAI(body, { model: target.model, maxTokens: fit.maxTokens });
  const stopSequences = body.stop_sequences;
  // Streamed from the backend and assembled here where the engine cancels only streams (whole-body.ts).
  const assembled = !req.stream && streamsInStead(target.engine);
  const sent = JSON.stringify(assembled ? streamInStead(openai) : openai);
  if (req.stream) {
    const translator = new AnthropicStreamTranslator({ model: clientModel, ...(stopSequences ? { stopSequences } : {}), ...(fit.promptTokens !== undefined ? { inputTokens: fit.promptTokens } : {}) });
    return { method: "POST", path: "/v1/chat/completions", body: sent, translator, ...clamp };
  }
  const whole = new WholeBodyTranslator((json) => openAIToAnthropic(json as OpenAIChatCompletion, { model: clientModel, ...(stopSequences ? { stopSequences } : {}) }), assembled ? "chat" : undefined);
  return { method: "POST", path: "/v1/chat/completions", body: sent, whole, ...clamp };
}

export const anthropicFace: Face = {
  name: "anthropic",
  routes: routes(),
  streamContentType: "text/event-stream",
  parse,
  // A claude-* name reaches an alias through its family (claudeModels); any other name is an alias itself.
  mapModel: (model, config) => resolveClaudeModel(model, config.claudeModels),

  plan(req: FaceRequest, target: PlanTarget, io?: ProbeIO): Promise<PlanResult> {
    return req.route.kind === "count_tokens" ? countTokens(req, target, io) : planMessages(req, target, io);
  },

  local(route: FaceRoute, _ctx: LocalContext): Rendered {
    return renderAnthropicError(unknownPath(route.path));
  },

  renderError: renderAnthropicError,
  inBandError: anthropicInBandError,
  keepAlive: anthropicPing,
};
