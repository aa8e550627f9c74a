// Ollama's HTTP API (docs.ollama.com/api): /api/version, /api/tags, /api/ps, /api/show,
// /api/chat and /api/generate (NDJSON, stream defaults to true, a final object with done:true,
// done_reason, counts and durations in nanoseconds), /api/embed, /api/embeddings, the
// OpenAI-compatible /v1 routes, and /v1/messages from v0.14.0. Native errors are {"error": "..."}.

import { AnthropicRoutes, anthropicError } from "./anthropic.js";
import type { EngineRuntime, FakeContext } from "./context.js";
import type { EngineDialect, Release } from "./dialect.js";
import { statusText } from "./dialect.js";
import type { GenerationPlan } from "./generation.js";
import { planGeneration } from "./generation.js";
import { endResponse, sendJson, startNdjson, writeChunk } from "./http.js";
import { embeddingOf, nowSeconds, OpenAIRoutes } from "./openai.js";
import type { OpenAIFlavor } from "./openai.js";
import { OllamaScheduler } from "./ollama-scheduler.js";
import { toFakeRequest } from "./request.js";
import { applyChatTemplate, countTokens, tokenize } from "./tokens.js";

const FIVE_MINUTES = 5 * 60 * 1000;
const FOREVER_ISO = "2318-01-01T00:00:00Z";

/** Ollama names always carry a tag: "llama3" is "llama3:latest". */
function ollamaName(model: string): string {
  return model.includes(":") ? model : `${model}:latest`;
}

/**
 * keep_alive as Ollama reads it: a number is seconds, a string a Go duration ("5m", "30s",
 * "1h30m", "0"); negative means never unload (docs.ollama.com/faq, "keep_alive").
 */
export function parseKeepAlive(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value * 1000;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const sign = text.startsWith("-") ? -1 : 1;
  let total = 0;
  let matched = "";
  for (const m of text.replace(/^[-+]/, "").matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(m[1]) * (unit[m[2] ?? "s"] ?? 1000);
    matched += m[0];
  }
  if (matched !== text.replace(/^[-+]/, "")) return undefined;
  return sign * total;
}

function digestOf(model: string): string {
  return tokenize(model.repeat(8))
    .map((n) => n.toString(16).padStart(4, "0"))
    .join("")
    .slice(0, 64)
    .padEnd(64, "0");
}

function details(): Record<string, unknown> {
  return { parent_model: "", format: "gguf", family: "llama", families: ["llama"], parameter_size: "1B", quantization_level: "Q4_K_M" };
}

function ollamaVersion(anthropic: boolean | undefined): string {
  // /v1/messages arrived in Ollama v0.14.0; with it the fake reports the release the end-to-end
  // run verified (0.17.4), without it the release before 0.14.0.
  return anthropic ? "0.17.4" : "0.13.5";
}

export function createOllama(runtime: EngineRuntime): EngineDialect {
  const { options, stats } = runtime;
  const installed = options.models.map(ollamaName);
  const keepAliveMs = options.keepAliveMs ?? FIVE_MINUTES;
  const loadDelays = new Map(Object.entries(options.loadDelaysMs ?? {}).map(([m, ms]) => [ollamaName(m), ms]));
  const initiallyLoaded = (options.loaded ?? []).map(ollamaName).filter((m) => installed.includes(m));
  const scheduler = new OllamaScheduler(
    {
      loaded: initiallyLoaded,
      loadDelayMs: (model) => loadDelays.get(model) ?? options.loadDelayMs ?? 0,
      numParallel: options.numParallel ?? 1,
      maxQueue: options.maxQueue ?? 512,
      maxLoadedModels: options.maxLoadedModels ?? 1,
      keepAliveMs,
      abortLoadOnDisconnect: options.abortLoadOnDisconnect ?? true,
      ...(options.onColdRequest ? { onColdRequest: options.onColdRequest } : {}),
    },
    stats,
  );
  const created = nowSeconds();
  const modifiedAt = new Date().toISOString();
  const resolveModel = (m: string): string | undefined => (installed.includes(ollamaName(m)) ? ollamaName(m) : undefined);
  const native = (ctx: FakeContext, status: number, message: string): void => sendJson(ctx.res, status, { error: message });
  // v0.17.4 answers an unknown model with "model 'x' not found" in every dialect (scripts/e2e/FACTS.md).
  const notFoundMessage = (m: string): string => `model '${m}' not found`;
  const busyMessage = "server busy, please try again.  maximum pending requests exceeded";

  /** Waits for the model and a parallel slot; answers 503 when the queue is full. */
  async function admit(ctx: FakeContext, model: string, body: Record<string, unknown>, busy: (ctx: FakeContext) => void): Promise<Release | undefined> {
    const outcome = await scheduler.admit(model, parseKeepAlive(body.keep_alive), ctx.signal);
    if (outcome.kind === "ok") return outcome.release;
    if (outcome.kind === "busy") busy(ctx);
    return undefined;
  }

  // 400 is invalid_request_error (openai.NewError); an unknown model comes back as api_error
  // from v0.17.4's /v1 layer (scripts/e2e/FACTS.md), as do other failures.
  const openaiError = (ctx: FakeContext, status: number, message: string): void =>
    sendJson(ctx.res, status, {
      error: { message, type: status === 400 ? "invalid_request_error" : "api_error", param: null, code: null },
    });
  const flavor: OpenAIFlavor = {
    streamStyle: "ollama",
    extraFields: { system_fingerprint: "fp_ollama" },
    // Ollama's OpenAI layer returns thinking as `reasoning`.
    reasoningField: "reasoning",
    modelList: () => installed.map((id) => ({ id, object: "model", created, owned_by: "library" })),
    resolveModel,
    modelNotFound: (ctx, model) => openaiError(ctx, 404, notFoundMessage(model)),
    invalidRequest: (ctx, message) => openaiError(ctx, 400, message),
    // Ollama truncates an over-long prompt to its context instead of refusing it.
    rejectContext: () => false,
    admit: (ctx, model, body) => admit(ctx, model, body, (c) => openaiError(c, 503, busyMessage)),
  };
  const openai = new OpenAIRoutes(runtime, flavor);
  const anthropic = new AnthropicRoutes(runtime, {
    resolveModel,
    admit: (ctx, model, body) => admit(ctx, model, body, (c) => anthropicError(c, 503, "overloaded_error", busyMessage)),
    countTokensRoute: false,
    ollamaUsage: true,
  });

  function psEntry(r: { model: string; expiresAt: number; keepAliveMs: number }): Record<string, unknown> {
    // A busy or loading runner has no expiry yet; Ollama then reports now + its keep-alive.
    const expiresAt = r.expiresAt !== Infinity ? r.expiresAt : r.keepAliveMs < 0 ? Date.parse(FOREVER_ISO) : Date.now() + r.keepAliveMs;
    return {
      name: r.model,
      model: r.model,
      size: 1_000_000_000,
      digest: digestOf(r.model),
      details: details(),
      expires_at: new Date(expiresAt).toISOString(),
      // v0.17.4 on a CPU-only host said size_vram 0 for a loaded model (scripts/e2e/FACTS.md).
      size_vram: options.gpu === true ? 1_000_000_000 : 0,
      context_length: runtime.contextLength,
    };
  }

  async function chatOrGenerate(ctx: FakeContext, kind: "chat" | "generate"): Promise<void> {
    const begun = process.hrtime.bigint();
    const body = await ctx.json();
    if (typeof body.model !== "string" || body.model === "") return native(ctx, 400, "model is required");
    const model = resolveModel(body.model);
    if (model === undefined) return native(ctx, 404, notFoundMessage(body.model));
    const request = toFakeRequest("ollama", ctx.path, body, true);
    const empty = kind === "chat" ? request.messages.length === 0 : (request.prompt ?? "") === "";
    const release = await admit(ctx, model, body, (c) => native(c, 503, busyMessage));
    if (!release) return;
    const loadNs = Number(process.hrtime.bigint() - begun);
    const base = (): Record<string, unknown> => ({ model: body.model, created_at: new Date().toISOString() });
    try {
      if (empty) {
        // An empty request only loads the model; with keep_alive 0 it unloads it (docs.ollama.com/api, "Load a model").
        const unload = parseKeepAlive(body.keep_alive) === 0;
        const head = kind === "chat" ? { message: { role: "assistant", content: "" } } : { response: "" };
        release();
        if (unload) scheduler.unload(model);
        sendJson(ctx.res, 200, { ...base(), ...head, done_reason: unload ? "unload" : "load", done: true });
        return;
      }
      const promptText = kind === "chat" ? applyChatTemplate(request.messages) : (request.prompt ?? "");
      const promptTokens = Math.min(countTokens(promptText), runtime.contextLength);
      const plan = planGeneration(runtime.reply(request), promptTokens, request.maxTokens);
      const final = (p: GenerationPlan): Record<string, unknown> => {
        const total = Number(process.hrtime.bigint() - begun);
        return {
          done: true,
          done_reason: p.finishReason === "length" ? "length" : "stop",
          total_duration: total,
          load_duration: loadNs,
          prompt_eval_count: p.promptTokens,
          prompt_eval_duration: Math.max(1, Math.floor((total - loadNs) / 4)),
          eval_count: p.completionTokens,
          eval_duration: Math.max(1, Math.floor(((total - loadNs) * 3) / 4)),
        };
      };
      const toolCalls = plan.toolCalls.map((c, index) => ({
        id: c.id,
        function: { index, name: c.name, arguments: JSON.parse(c.arguments || "{}") as unknown },
      }));
      if (!request.stream) {
        if (!(await runtime.run(ctx, plan, () => true, { stream: false }))) return;
        const head =
          kind === "chat"
            ? {
                message: {
                  role: "assistant",
                  content: plan.content,
                  ...(plan.reasoning ? { thinking: plan.reasoning } : {}),
                  ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
                },
              }
            : { response: plan.content, ...(plan.reasoning ? { thinking: plan.reasoning } : {}) };
        sendJson(ctx.res, 200, { ...base(), ...head, ...final(plan), ...(kind === "generate" ? { context: tokenize(promptText + plan.content) } : {}) });
        return;
      }
      startNdjson(ctx.res);
      const line = (obj: Record<string, unknown>): Promise<boolean> => writeChunk(ctx.res, JSON.stringify({ ...base(), ...obj }) + "\n");
      const ok = await runtime.run(ctx, plan, (event) => {
        if (event.kind === "tool") return true;
        const field = event.kind === "reasoning" ? "thinking" : kind === "chat" ? "content" : "response";
        if (kind === "chat") return line({ message: { role: "assistant", content: "", [field]: event.text }, done: false });
        return line({ response: "", [field]: event.text, done: false });
      });
      if (!ok) {
        ctx.res.destroy();
        return;
      }
      // Ollama hands over parsed tool calls whole, in one chunk, not as argument fragments.
      if (toolCalls.length && kind === "chat") await line({ message: { role: "assistant", content: "", tool_calls: toolCalls }, done: false });
      const head = kind === "chat" ? { message: { role: "assistant", content: "" } } : { response: "" };
      endResponse(ctx.res, JSON.stringify({ ...base(), ...head, ...final(plan) }) + "\n");
    } finally {
      release();
    }
  }

  async function embed(ctx: FakeContext, legacy: boolean): Promise<void> {
    const body = await ctx.json();
    if (typeof body.model !== "string" || body.model === "") return native(ctx, 400, "model is required");
    const model = resolveModel(body.model);
    if (model === undefined) return native(ctx, 404, notFoundMessage(body.model));
    const release = await admit(ctx, model, body, (c) => native(c, 503, busyMessage));
    if (!release) return;
    try {
      if (legacy) {
        sendJson(ctx.res, 200, { embedding: embeddingOf(typeof body.prompt === "string" ? body.prompt : "") });
        return;
      }
      const input = body.input;
      const texts = Array.isArray(input) ? input.map(String) : [typeof input === "string" ? input : ""];
      sendJson(ctx.res, 200, {
        model: body.model,
        embeddings: texts.map(embeddingOf),
        total_duration: 1000,
        load_duration: 0,
        prompt_eval_count: texts.reduce((s, t) => s + countTokens(t), 0),
      });
    } finally {
      release();
    }
  }

  return {
    async handle(ctx) {
      const key = `${ctx.method} ${ctx.path}`;
      switch (key) {
        case "GET /":
        case "HEAD /":
          // The root answers a plain "Ollama is running".
          ctx.res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
          ctx.res.end(ctx.method === "HEAD" ? undefined : "Ollama is running");
          return true;
        case "GET /api/version":
          sendJson(ctx.res, 200, { version: ollamaVersion(options.anthropic) });
          return true;
        case "GET /api/tags":
          sendJson(ctx.res, 200, {
            models: installed.map((m) => ({ name: m, model: m, modified_at: modifiedAt, size: 1_000_000_000, digest: digestOf(m), details: details() })),
          });
          return true;
        case "GET /api/ps":
          // /api/ps lists every runner in the scheduler's map, including one still loading (the
          // scheduler adds it before WaitUntilRunning), latest expiry first (server/routes.go PsHandler).
          sendJson(ctx.res, 200, {
            models: scheduler
              .resident()
              .map(psEntry)
              .sort((a, b) => Date.parse(String(b.expires_at)) - Date.parse(String(a.expires_at))),
          });
          return true;
        case "POST /api/show": {
          const body = await ctx.json();
          const name = typeof body.model === "string" ? body.model : typeof body.name === "string" ? body.name : "";
          const model = resolveModel(name);
          if (model === undefined) {
            native(ctx, 404, notFoundMessage(name));
            return true;
          }
          sendJson(ctx.res, 200, {
            modelfile: `FROM ${model}\n`,
            parameters: "",
            template: "{{ .Prompt }}",
            details: details(),
            // model_info keys are GGUF metadata: <architecture>.context_length is the trained context.
            model_info: {
              "general.architecture": "llama",
              "general.parameter_count": 1_000_000_000,
              "llama.context_length": runtime.contextLength,
              "llama.embedding_length": 8,
            },
            capabilities: ["completion", "tools", "thinking"],
            modified_at: modifiedAt,
          });
          return true;
        }
        case "POST /api/chat":
          await chatOrGenerate(ctx, "chat");
          return true;
        case "POST /api/generate":
          await chatOrGenerate(ctx, "generate");
          return true;
        case "POST /api/embed":
          await embed(ctx, false);
          return true;
        case "POST /api/embeddings":
          await embed(ctx, true);
          return true;
      }
      if (options.anthropic && (await anthropic.handle(ctx))) return true;
      return openai.handle(ctx);
    },
    notFound: (ctx) => {
      ctx.res.writeHead(404, { "content-type": "text/plain" });
      ctx.res.end("404 page not found");
    },
    // Ollama has no key of its own; a fronting proxy answers like this.
    unauthorized: (ctx) => native(ctx, 401, "unauthorized"),
    badRequest: (ctx, message) => native(ctx, 400, message),
    errorBody: (path, status) =>
      path.startsWith("/v1/")
        ? { error: { message: statusText(status), type: status === 400 ? "invalid_request_error" : "api_error", param: null, code: null } }
        : { error: statusText(status) },
    isPublic: (path: string) => path === "/" || path === "/api/version",
    loadedModels: () =>
      scheduler
        .resident()
        .filter((r) => !r.loading)
        .map((r) => r.model),
    loadingModels: () =>
      scheduler
        .resident()
        .filter((r) => r.loading)
        .map((r) => r.model),
    readyFor: (m) => scheduler.readyFor(ollamaName(m)),
    // A restarted Ollama process starts with nothing loaded.
    reset: () => scheduler.reset([]),
  };
}
