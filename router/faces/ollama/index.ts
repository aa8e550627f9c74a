// The Ollama native face: /api/* over every engine. Ollama backends get the request as sent (model
// rewritten, keep_alive kept); vLLM, llama.cpp and generic OpenAI servers get it translated to
// OpenAI and the answer translated back to Ollama's JSON / NDJSON.
import {
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
  requestIssuesMessage,
  type OllamaChatRequest,
  type OllamaEmbeddingsRequest,
  type OllamaEmbedRequest,
  type OllamaGenerateRequest,
  type OpenAIChatCompletion,
  type OpenAICompletion,
  type OpenAIEmbeddingResponse,
} from "../../translate/index.js";
import { NdjsonModelEcho } from "../echo-model.js";
import { WholeBodyTranslator } from "../whole-body.js";
import type { Face, FaceRequest, FaceRoute, LocalContext, ParseContext, PlanResult, PlanTarget, Rendered, RouterError, StreamTranslator } from "../types.js";
import { ollamaInBandError, renderOllamaError } from "./errors.js";
import { aliasName, managementError, psAnswer, showAnswer, tagsAnswer, versionAnswer } from "./local.js";

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

const schemas = {
  chat: ollamaChatRequestSchema,
  generate: ollamaGenerateRequestSchema,
  embed: ollamaEmbedRequestSchema,
  embeddings: ollamaEmbeddingsRequestSchema,
} as const;

function invalid(message: string): RouterError {
  return { status: 400, kind: "invalid_request", message };
}

function parse(route: FaceRoute, body: unknown, ctx: ParseContext): FaceRequest | RouterError {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return invalid("request body must be a JSON object");
  const schema = schemas[route.kind as keyof typeof schemas];
  if (schema === undefined) return invalid(`no request body expected on ${route.path}`);
  const raw = body as Record<string, unknown>;
  // The legacy /api/embeddings and older clients send `name`-less bodies; `model` is required everywhere.
  if (typeof raw.model !== "string" || raw.model.length === 0) return invalid("model is required");
  const r = schema.safeParse(body);
  if (!r.success) return invalid(requestIssuesMessage(r.error));
  const data = r.data as Record<string, unknown>;
  delete data.api_base;
  delete data.base_url;
  const alias = aliasName(raw.model, (n) => Object.hasOwn(ctx.config.aliases, n));
  // Ollama streams unless told not to (docs/api.md: "stream: if false the response will be returned as a single response object").
  const stream = (route.kind === "chat" || route.kind === "generate") && data.stream !== false;
  return { route, model: alias, clientModel: raw.model, stream, body: data };
}

function nowNs(): number {
  return Number(process.hrtime.bigint());
}

function malformed(): unknown {
  return { error: "the backend answered with a body that is not JSON" };
}

/** Translation to an OpenAI-speaking engine (vLLM, llama.cpp, generic). */
function translated(req: FaceRequest, target: PlanTarget): PlanResult {
  const model = req.clientModel ?? req.model;
  const started = nowNs();
  const timing = (): { totalNs: number } => ({ totalNs: nowNs() - started });
  let path: string;
  let body: unknown;
  let translator: StreamTranslator;
  switch (req.route.kind) {
    case "chat": {
      body = ollamaChatToOpenAI(req.body as OllamaChatRequest, { model: target.model });
      path = "/v1/chat/completions";
      translator = req.stream
        ? new OllamaStreamTranslator({ kind: "chat", model })
        : new WholeBodyTranslator((j) => openAIToOllamaChat(j as OpenAIChatCompletion, { model, timing: timing() }), malformed);
      break;
    }
    case "generate": {
      const call = ollamaGenerateToOpenAI(req.body as OllamaGenerateRequest, { model: target.model });
      path = call.endpoint;
      body = call.body;
      translator = req.stream
        ? new OllamaStreamTranslator({ kind: "generate", model })
        : new WholeBodyTranslator((j) => openAIToOllamaGenerate(j as OpenAIChatCompletion | OpenAICompletion, { model, timing: timing() }), malformed);
      break;
    }
    case "embed":
      path = "/v1/embeddings";
      body = ollamaEmbedToOpenAI(req.body as OllamaEmbedRequest, { model: target.model });
      translator = new WholeBodyTranslator((j) => openAIToOllamaEmbed(j as OpenAIEmbeddingResponse, { model, timing: timing() }), malformed);
      break;
    default:
      path = "/v1/embeddings";
      body = ollamaEmbeddingsToOpenAI(req.body as OllamaEmbeddingsRequest, { model: target.model });
      translator = new WholeBodyTranslator((j) => openAIToOllamaEmbeddings(j as OpenAIEmbeddingResponse), malformed);
      break;
  }
  return { method: "POST", path, body: JSON.stringify(body), translator };
}

export const ollamaFace: Face = {
  name: "ollama",
  routes,
  streamContentType: "application/x-ndjson",
  parse,

  plan(req: FaceRequest, target: PlanTarget): PlanResult {
    if (target.engine === "ollama") {
      // Passthrough: the native request, keep_alive and options included, with the backend's model name.
      const body = JSON.stringify({ ...req.body, model: target.model });
      return { method: "POST", path: req.route.path, body, translator: new NdjsonModelEcho(req.clientModel ?? req.model) };
    }
    return translated(req, target);
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
        return showAnswer(ctx.body, ctx.aliases);
      default:
        return renderOllamaError(managementError(route.path));
    }
  },

  renderError: renderOllamaError,
  inBandError: ollamaInBandError,
  keepAlive(req: FaceRequest): string {
    // An empty, unfinished chunk in the request's own shape: clients append "" and keep waiting.
    const head = { model: req.clientModel ?? req.model, created_at: new Date().toISOString() };
    if (req.route.kind === "chat") return JSON.stringify({ ...head, message: { role: "assistant", content: "" }, done: false }) + "\n";
    if (req.route.kind === "generate") return JSON.stringify({ ...head, response: "", done: false }) + "\n";
    return "";
  },
};
