// The Ollama native face: /api/* over every engine. Ollama backends get the request as sent (model
// rewritten, keep_alive kept); vLLM, llama.cpp and generic OpenAI servers get it translated to
// OpenAI and the answer translated back to Ollama's JSON / NDJSON.
import type { ProbeIO } from "../../engines/types.js";
import { invalidRequest, isRouterError } from "../../errors.js";
import { bodyWithModel, withBody } from "../prologue.js";
import {
  contextOverflowError,
  estimatePromptFormTokens,
  ollamaChatRequestSchema,
  ollamaChatToOpenAI,
  ollamaEmbeddingsRequestSchema,
  ollamaEmbeddingsToOpenAI,
  ollamaEmbedRequestSchema,
  ollamaEmbedToOpenAI,
  ollamaGenerateRequestSchema,
  ollamaGenerateToOpenAI,
  OllamaStreamTranslator,
  openAIToOllamaChat,
  openAIToOllamaEmbed,
  openAIToOllamaEmbeddings,
  openAIToOllamaGenerate,
  type OllamaChatRequest,
  type OllamaEmbeddingsRequest,
  type OllamaEmbedRequest,
  type OllamaGenerateRequest,
  type OpenAIChatCompletion,
  type OpenAIChatRequest,
  type OpenAICompletion,
  type OpenAICompletionRequest,
  type OpenAIEmbeddingResponse,
  type PromptForm,
} from "../../translate/index.js";
import { countPromptForm } from "../count.js";
import { NdjsonModelEcho } from "../echo-model.js";
import { clampOf, fitOutput } from "../fit.js";
import { streamInStead } from "../../translate/openai-assemble.js";
import { streamsInStead, WholeBodyTranslator } from "../whole-body.js";
import type {
  Face,
  FaceRequest,
  FaceRoute,
  LocalContext,
  OutputClamp,
  ParsedRequest,
  PlanResult,
  PlanTarget,
  Rendered,
  RouterError,
  StreamTranslator,
  WholeAnswer,
} from "../types.js";
import { ollamaInBandError, renderOllamaError } from "./errors.js";
import { untagged, managementError, psAnswer, showAnswer, tagsAnswer, versionAnswer } from "./local.js";

const routes: readonly FaceRoute[] = [
  { method: "GET", path: "/api/version", kind: "version", local: true },
  { method: "GET", path: "/api/tags", kind: "tags", local: true },
  { method: "GET", path: "/api/ps", kind: "ps", local: true },
  { method: "POST", path: "/api/show", kind: "show", local: true },
  { method: "POST", path: "/api/chat", kind: "chat" },
  { method: "POST", path: "/api/generate", kind: "generate" },
  { method: "POST", path: "/api/embed", kind: "embed" },
  { method: "POST", path: "/api/embeddings", kind: "embeddings" },
  { method: "POST", path: "/api/pull", kind: "management", local: true },
  { method: "POST", path: "/api/push", kind: "management", local: true },
  { method: "POST", path: "/api/create", kind: "management", local: true },
  { method: "POST", path: "/api/copy", kind: "management", local: true },
  { method: "DELETE", path: "/api/delete", kind: "management", local: true },
];

/** A request of each proxied route, with its body as that route's schema reads it. */
type OllamaRequest =
  | ParsedRequest<"chat", OllamaChatRequest>
  | ParsedRequest<"generate", OllamaGenerateRequest>
  | ParsedRequest<"embed", OllamaEmbedRequest>
  | ParsedRequest<"embeddings", OllamaEmbeddingsRequest>;

// Ollama streams unless told not to (docs/api.md: "stream: if false the response will be returned as a single response object").
const streamsUnlessFalse = (b: { stream?: boolean | undefined }): boolean => b.stream !== false;
const never = (): boolean => false;

function parse(route: FaceRoute, body: unknown): OllamaRequest | RouterError {
  const proxied = route.kind === "chat" || route.kind === "generate" || route.kind === "embed" || route.kind === "embeddings";
  if (!proxied) return invalidRequest(`no request body expected on ${route.path}`);
  // The legacy /api/embeddings and older clients send `name`-less bodies; `model` is required everywhere.
  const m = bodyWithModel(body, { invalid: "model is required" });
  if (isRouterError(m)) return m;
  switch (route.kind) {
    case "chat":
      return withBody(route, "chat", m.model, m.raw, ollamaChatRequestSchema, streamsUnlessFalse);
    case "generate":
      return withBody(route, "generate", m.model, m.raw, ollamaGenerateRequestSchema, streamsUnlessFalse);
    case "embed":
      return withBody(route, "embed", m.model, m.raw, ollamaEmbedRequestSchema, never);
    default:
      return withBody(route, "embeddings", m.model, m.raw, ollamaEmbeddingsRequestSchema, never);
  }
}

function nowNs(): number {
  return Number(process.hrtime.bigint());
}

/** num_predict as an output limit: -1 (infinite) and -2 (fill the context) set none (docs/api.md, Modelfile parameters). */
function requestedOutput(options: OllamaChatRequest["options"]): number | undefined {
  const n = options?.num_predict;
  return n !== undefined && n > 0 ? n : undefined;
}

/**
 * Fits the translated request into the target's context: num_predict (→ max_tokens) is clamped to
 * what the prompt leaves, as the Anthropic face does, because vLLM refuses prompt + max_tokens beyond
 * max_model_len with a 400 where Ollama itself would have just stopped early. A prompt that cannot
 * fit skips this target; when no target is left the client gets Ollama's context error.
 */
async function fitGeneration(
  body: OpenAIChatRequest | OpenAICompletionRequest,
  requested: number | undefined,
  target: PlanTarget,
  io: ProbeIO | undefined,
): Promise<RouterError | { clamp?: OutputClamp }> {
  const form: PromptForm = "messages" in body ? { messages: body.messages, ...(body.tools ? { tools: body.tools } : {}) } : { prompt: body.prompt };
  const estimate = estimatePromptFormTokens(form);
  const fit = await fitOutput({
    requested,
    contextLength: target.contextLength,
    estimate,
    count: () => countPromptForm(form, estimate, target.engine, target.model, io),
  });
  if (!fit.fits) return contextOverflowError("ollama", fit.promptTokens, fit.contextLength);
  if (fit.maxTokens !== undefined) body.max_tokens = fit.maxTokens;
  return clampOf(requested, fit.maxTokens);
}

/** Translation to an OpenAI-speaking engine (vLLM, llama.cpp, generic). */
async function translated(req: FaceRequest<OllamaRequest>, target: PlanTarget, io: ProbeIO | undefined): Promise<PlanResult> {
  const model = req.clientModel;
  const started = nowNs();
  const timing = (): { totalNs: number } => ({ totalNs: nowNs() - started });
  let path: string;
  let body: unknown;
  let translator: StreamTranslator | WholeAnswer;
  let clamp: { clamp?: OutputClamp } = {};
  // Streamed from the backend and assembled here where the engine cancels only streams (whole-body.ts).
  const assembled = !req.stream && (req.kind === "chat" || req.kind === "generate") && streamsInStead(target.engine);
  switch (req.kind) {
    case "chat": {
      const chat = req.body;
      const call = ollamaChatToOpenAI(chat, { model: target.model });
      const fit = await fitGeneration(call, requestedOutput(chat.options), target, io);
      if (isRouterError(fit)) return { skip: fit };
      clamp = fit;
      body = assembled ? streamInStead(call) : call;
      path = "/v1/chat/completions";
      translator = req.stream
        ? new OllamaStreamTranslator({ kind: "chat", model })
        : new WholeBodyTranslator((j: OpenAIChatCompletion) => openAIToOllamaChat(j, { model, timing: timing() }), assembled ? "chat" : undefined);
      break;
    }
    case "generate": {
      const gen = req.body;
      const call = ollamaGenerateToOpenAI(gen, { model: target.model });
      const fit = await fitGeneration(call.body, requestedOutput(gen.options), target, io);
      if (isRouterError(fit)) return { skip: fit };
      clamp = fit;
      path = call.endpoint;
      body = assembled ? streamInStead(call.body) : call.body;
      translator = req.stream
        ? new OllamaStreamTranslator({ kind: "generate", model })
        : new WholeBodyTranslator(
            (j: OpenAIChatCompletion | OpenAICompletion) => openAIToOllamaGenerate(j, { model, timing: timing() }),
            assembled ? (path.endsWith("/chat/completions") ? "chat" : "completions") : undefined,
          );
      break;
    }
    case "embed":
      path = "/v1/embeddings";
      body = ollamaEmbedToOpenAI(req.body, { model: target.model });
      translator = new WholeBodyTranslator((j: OpenAIEmbeddingResponse) => openAIToOllamaEmbed(j, { model, timing: timing() }));
      break;
    default:
      path = "/v1/embeddings";
      body = ollamaEmbeddingsToOpenAI(req.body, { model: target.model });
      translator = new WholeBodyTranslator((j: OpenAIEmbeddingResponse) => openAIToOllamaEmbeddings(j));
      break;
  }
  const sent = JSON.stringify(body);
  return "convert" in translator
    ? { method: "POST", path, body: sent, whole: translator, ...clamp }
    : { method: "POST", path, body: sent, translator, ...clamp };
}

export const ollamaFace: Face<OllamaRequest> = {
  name: "ollama",
  routes,
  streamContentType: "application/x-ndjson",
  parse,
  mapModel: untagged,

  plan(req: FaceRequest<OllamaRequest>, target: PlanTarget, io?: ProbeIO): PlanResult | Promise<PlanResult> {
    if (target.engine === "ollama") {
      // Passthrough: the native request, keep_alive and options included, with the backend's model name.
      // Ollama fits prompt and num_predict into its own num_ctx, so nothing is clamped here.
      const body = JSON.stringify({ ...req.body, model: target.model });
      return { method: "POST", path: req.route.path, body, translator: new NdjsonModelEcho(req.clientModel) };
    }
    return translated(req, target, io);
  },

  local(route: FaceRoute, ctx: LocalContext): Rendered {
    switch (route.kind) {
      case "version":
        return versionAnswer();
      case "tags":
        return tagsAnswer(ctx.aliases);
      case "ps":
        return psAnswer(ctx.aliases);
      case "show":
        return showAnswer(ctx.body, ctx.resolve);
      default:
        return renderOllamaError(managementError(route.path));
    }
  },

  renderError: renderOllamaError,
  inBandError: ollamaInBandError,
  keepAlive(req: FaceRequest<OllamaRequest>): string {
    // An empty, unfinished chunk in the request's own shape: clients append "" and keep waiting.
    const head = { model: req.clientModel, created_at: new Date().toISOString() };
    if (req.kind === "chat") return JSON.stringify({ ...head, message: { role: "assistant", content: "" }, done: false }) + "\n";
    if (req.kind === "generate") return JSON.stringify({ ...head, response: "", done: false }) + "\n";
    return "";
  },
};
