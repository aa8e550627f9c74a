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
import { isRouterError, unknownPath } from "../../errors.js";
import { bodyWithModel, underPrefixes, withBody } from "../prologue.js";
import {
  isJsonObject,
  type Face,
  type FaceRequest,
  type FaceRoute,
  type LocalContext,
  type ParsedRequest,
  type PlanResult,
  type PlanTarget,
  type Rendered,
  type RouterError,
} from "../types.js";
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

type Messages = ParsedRequest<"messages", AnthropicMessagesRequest>;
type CountTokens = ParsedRequest<"count_tokens", AnthropicCountTokensRequest>;
/** A request of each route, with its body as that route's schema reads it. */
type AnthropicRequest = Messages | CountTokens;

function parse(route: FaceRoute, body: unknown): AnthropicRequest | RouterError {
  const m = bodyWithModel(body, { invalid: "model: must be a non-empty string" });
  if (isRouterError(m)) return m;
  if (route.kind === "messages") return withBody(route, "messages", m.model, m.raw, anthropicMessagesRequestSchema, (b) => b.stream === true);
  return withBody(route, "count_tokens", m.model, m.raw, anthropicCountTokensRequestSchema, () => false);
}

/**
 * The engine's own POST /v1/messages/count_tokens, when it serves Messages natively and has one:
 * vLLM (its Messages API counts tokens; vllm-project/vllm#49533 calls it "already supported") and
 * llama.cpp (ggml-org/llama.cpp PR #17570). Ollama's Anthropic compatibility has no count_tokens, so
 * it keeps the estimate. An older engine without the route (404) falls back to the other counters.
 */
async function nativeCount(req: CountTokens, target: PlanTarget, io: ProbeIO | undefined): Promise<number | undefined> {
  if (!io || (target.engine !== "vllm" && target.engine !== "llamacpp")) return undefined;
  if (anthropicMode(target.anthropic, target.engine, target.version) !== "native") return undefined;
  const body = nativeMessagesBody(req.body, target.model);
  delete body.max_tokens;
  delete body.stream;
  try {
    const r = await io.post("/v1/messages/count_tokens", body);
    const n = r.status === 200 && isJsonObject(r.json) ? r.json.input_tokens : undefined;
    return typeof n === "number" && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

async function countTokens(req: CountTokens, target: PlanTarget, io: ProbeIO | undefined): Promise<PlanResult> {
  const native = await nativeCount(req, target, io);
  const count = native !== undefined ? { tokens: native, source: "native" } : await countPromptTokens(req.body, target.engine, target.model, io);
  const body = JSON.stringify(countTokensResponse(count.tokens));
  return { local: { status: 200, headers: { "content-type": "application/json", "x-router-token-count": count.source }, body } };
}

/** max_tokens that fits the target's context, or the "prompt is too long" Claude Code compacts on. */
async function fitMessages(
  req: AnthropicMessagesRequest,
  target: PlanTarget,
  io: ProbeIO | undefined,
): Promise<{ maxTokens: number; promptTokens?: number } | RouterError> {
  const fit = await fitOutput({
    requested: req.max_tokens,
    contextLength: target.contextLength,
    estimate: estimateInputTokens(req),
    count: () => countPromptTokens(req, target.engine, target.model, io),
  });
  if (!fit.fits) return contextOverflowError("anthropic", fit.promptTokens, fit.contextLength);
  return { maxTokens: fit.maxTokens ?? req.max_tokens, ...(fit.promptTokens !== undefined ? { promptTokens: fit.promptTokens } : {}) };
}

async function planMessages(req: Messages, target: PlanTarget, io: ProbeIO | undefined): Promise<PlanResult> {
  const body = req.body;
  const fit = await fitMessages(body, target, io);
  if (isRouterError(fit)) return { skip: fit };
  const clientModel = req.clientModel;
  const clamp = clampOf(body.max_tokens, fit.maxTokens);
  if (anthropicMode(target.anthropic, target.engine, target.version) === "native") {
    const upstream = JSON.stringify(nativeMessagesBody(body, target.model, fit.maxTokens));
    return {
      method: "POST",
      path: "/v1/messages",
      body: upstream,
      translator: req.stream ? new SseModelEcho(clientModel) : new NdjsonModelEcho(clientModel),
      ...clamp,
    };
  }
  const openai = anthropicToOpenAI(body, { model: target.model, maxTokens: fit.maxTokens });
  const stopSequences = body.stop_sequences;
  // Streamed from the backend and assembled here where the engine cancels only streams (whole-body.ts).
  const assembled = !req.stream && streamsInStead(target.engine);
  const sent = JSON.stringify(assembled ? streamInStead(openai) : openai);
  if (req.stream) {
    const translator = new AnthropicStreamTranslator({
      model: clientModel,
      ...(stopSequences ? { stopSequences } : {}),
      ...(fit.promptTokens !== undefined ? { inputTokens: fit.promptTokens } : {}),
    });
    return { method: "POST", path: "/v1/chat/completions", body: sent, translator, ...clamp };
  }
  const whole = new WholeBodyTranslator(
    (json: OpenAIChatCompletion) => openAIToAnthropic(json, { model: clientModel, ...(stopSequences ? { stopSequences } : {}) }),
    assembled ? "chat" : undefined,
  );
  return { method: "POST", path: "/v1/chat/completions", body: sent, whole, ...clamp };
}

export const anthropicFace: Face<AnthropicRequest> = {
  name: "anthropic",
  routes: routes(),
  streamContentType: "text/event-stream",
  parse,
  // A claude-* name reaches an alias through its family (claudeModels); any other name is an alias itself.
  mapModel: (model, config) => resolveClaudeModel(model, config.claudeModels),

  plan(req: FaceRequest<AnthropicRequest>, target: PlanTarget, io?: ProbeIO): Promise<PlanResult> {
    return req.kind === "count_tokens" ? countTokens(req, target, io) : planMessages(req, target, io);
  },

  local(route: FaceRoute, _ctx: LocalContext): Rendered {
    return renderAnthropicError(unknownPath(route.path));
  },

  renderError: renderAnthropicError,
  inBandError: anthropicInBandError,
  keepAlive: anthropicPing,
};
