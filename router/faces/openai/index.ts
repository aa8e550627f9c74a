// The OpenAI face: /v1/* and the same under /api/v1/* (clients configured with base .../api/v1).
import { invalidRequest, isRouterError, unknownModel } from "../../errors.js";
import { bodyWithModel, underPrefixes } from "../prologue.js";
import type { AliasView } from "../../aliases/views.js";
import type { ProbeIO } from "../../engines/types.js";
import type { Face, FaceRequest, FaceRoute, JsonObject, LocalContext, ParsedRequest, PlanResult, PlanTarget, Rendered, RouterError } from "../types.js";
import { fitOpenAIOutput } from "./fit.js";
import { streamInStead } from "../../translate/openai-assemble.js";
import { OpenAIModelEcho } from "../echo-model.js";
import { streamsInStead, WholeBodyTranslator } from "../whole-body.js";
import { asksForUsage, UsageChunkDrop, withUsage } from "../usage-chunk.js";
import { openaiInBandError, renderOpenAIError } from "./errors.js";

/** A request of each proxied route: its body is passed on as the client sent it, the model name changed. */
type OpenAIRequest = ParsedRequest<ProxiedKind, JsonObject>;
type ProxiedKind = "chat" | "completions" | "embeddings";

const proxied: readonly [string, ProxiedKind][] = [
  ["/chat/completions", "chat"],
  ["/completions", "completions"],
  ["/embeddings", "embeddings"],
];

function routes(): FaceRoute[] {
  return underPrefixes([
    ...proxied.map(([path, kind]): FaceRoute => ({ method: "POST", path, kind })),
    { method: "GET", path: "/models", kind: "models", local: true },
    // Retrieve model (https://platform.openai.com/docs/api-reference/models/retrieve), scoped like the list.
    { method: "GET", path: "/models/", kind: "model", local: true, param: true },
  ]);
}

/** An assembled answer names the model the client asked for, as every answer does. */
function naming(model: string): (json: object) => object {
  // The whole body is a JSON object by now (WholeBodyTranslator checks it before converting).
  return (json) => ({ ...json, model });
}

export const openaiFace: Face<OpenAIRequest> = {
  name: "openai",
  routes: routes(),
  streamContentType: "text/event-stream",

  parse(route: FaceRoute, body: unknown): OpenAIRequest | RouterError {
    const kind = proxied.find(([, k]) => k === route.kind)?.[1];
    if (kind === undefined) return invalidRequest(`no request body expected on ${route.path}`);
    const m = bodyWithModel(body, { missing: "missing required field: model", invalid: "model must be a non-empty string" });
    if (isRouterError(m)) return m;
    const b = m.raw;
    if (kind === "chat" && !Array.isArray(b.messages)) return invalidRequest("messages must be an array");
    return { route, kind, clientModel: m.model, stream: b.stream === true && kind !== "embeddings", body: b };
  },

  async plan(req: FaceRequest<OpenAIRequest>, target: PlanTarget, io?: ProbeIO): Promise<PlanResult> {
    // Every engine in the table serves OpenAI's paths under /v1 (vLLM, llama.cpp, Ollama's compat layer).
    const path = req.route.path.startsWith("/api/v1/") ? req.route.path.slice(4) : req.route.path;
    // A copy: the parsed body is shared by every target of the failover loop.
    const body: JsonObject = { ...req.body, model: target.model };
    const kind = req.kind;
    const clamp = await fitOpenAIOutput(kind, body, target, io);
    if (isRouterError(clamp)) return { skip: clamp };
    if (!req.stream && (kind === "chat" || kind === "completions") && streamsInStead(target.engine)) {
      // Streamed from the backend and assembled here, so a client that leaves stops the generation.
      return { method: "POST", path, body: JSON.stringify(streamInStead(body)), whole: new WholeBodyTranslator(naming(req.clientModel), kind), ...clamp };
    }
    // The answer names the model the client sent (x-router-model has the backend's); nothing to do when they agree.
    const echo = target.model === req.clientModel ? undefined : new OpenAIModelEcho(target.model, req.clientModel);
    // A stream reports its tokens only when asked: asked for here, the extra chunk taken out (usage-chunk.ts).
    if (req.stream && kind !== "embeddings" && !asksForUsage(body))
      return { method: "POST", path, body: JSON.stringify(withUsage(body)), translator: new UsageChunkDrop(echo), ...clamp };
    return { method: "POST", path, body: JSON.stringify(body), ...(echo ? { translator: echo } : {}), ...clamp };
  },

  local(route: FaceRoute, ctx: LocalContext): Rendered {
    const created = Math.floor(Date.now() / 1000);
    if (route.kind === "model") {
      const a = ctx.aliases.find((x) => x.name === ctx.param);
      if (!a)
        return renderOpenAIError(
          unknownModel(
            ctx.param ?? "",
            ctx.aliases.map((x) => x.name),
          ),
        );
      return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(modelObject(a, created)) };
    }
    const data = ctx.aliases.map((a) => modelObject(a, created));
    return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ object: "list", data }) };
  },

  renderError: renderOpenAIError,
  inBandError: openaiInBandError,
  keepAlive: () => ": keep-alive\n\n",
};

function modelObject(a: AliasView, created: number): object {
  return {
    id: a.name,
    object: "model",
    created,
    owned_by: "aistack",
    ...(a.contextLength !== undefined ? { context_length: a.contextLength, max_model_len: a.contextLength } : {}),
    ...(a.description !== undefined ? { description: a.description } : {}),
  };
}
