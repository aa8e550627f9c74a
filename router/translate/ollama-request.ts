// Ollama native requests (/api/chat, /api/generate, /api/embed, /api/embeddings) → OpenAI requests,
// for aliases whose target is vLLM, llama.cpp or a generic OpenAI server. Ollama backends get the
// native request unchanged (passthrough), so nothing here runs for them.
// Fields: https://github.com/ollama/ollama/blob/main/docs/api.md (options are Modelfile parameters).
import { reasoningControls } from "./reasoning.js";
import type {
  OpenAIChatRequest,
  OpenAICompletionRequest,
  OpenAIContentPart,
  OpenAIEmbeddingRequest,
  OpenAIMessage,
  OpenAITool,
  OpenAIToolCall,
} from "./types/openai.js";
import type { OllamaChatRequest, OllamaEmbedRequest, OllamaEmbeddingsRequest, OllamaGenerateRequest, OllamaMessage, OllamaOptions } from "./types/ollama.js";

export interface OllamaToOpenAIOptions {
  /** The model name as the backend knows it. */
  model: string;
  /** A max_tokens already clamped to the target's context; default: options.num_predict. */
  maxTokens?: number;
}

/** Ollama sends bare base64; OpenAI wants a data URL, so the type is read from the magic bytes. */
function imageDataUrl(base64: string): string {
  if (base64.startsWith("data:")) return base64;
  const mime = base64.startsWith("/9j/") ? "image/jpeg" : base64.startsWith("R0lGOD") ? "image/gif" : base64.startsWith("UklGR") ? "image/webp" : "image/png";
  return `data:${mime};base64,${base64}`;
}

type Sampling = Pick<
  OpenAIChatRequest,
  "max_tokens" | "temperature" | "top_p" | "top_k" | "min_p" | "seed" | "stop" | "presence_penalty" | "frequency_penalty" | "repetition_penalty"
>;

/** Modelfile options with an OpenAI equivalent; num_ctx is the server's business and is not sent. */
function samplingFromOptions(o: OllamaOptions | undefined, maxTokens?: number): Sampling {
  const out: Sampling = {};
  // num_predict -1 (infinite) and -2 (fill context) have no OpenAI form: leave max_tokens unset.
  const predict = maxTokens ?? (o?.num_predict !== undefined && o.num_predict > 0 ? o.num_predict : undefined);
  if (predict !== undefined) out.max_tokens = predict;
  if (!o) return out;
  if (o.temperature !== undefined) out.temperature = o.temperature;
  if (o.top_p !== undefined) out.top_p = o.top_p;
  if (o.top_k !== undefined) out.top_k = o.top_k;
  if (o.min_p !== undefined) out.min_p = o.min_p;
  if (o.seed !== undefined) out.seed = o.seed;
  if (o.presence_penalty !== undefined) out.presence_penalty = o.presence_penalty;
  if (o.frequency_penalty !== undefined) out.frequency_penalty = o.frequency_penalty;
  if (o.repeat_penalty !== undefined) out.repetition_penalty = o.repeat_penalty;
  if (o.stop !== undefined) {
    const stop = Array.isArray(o.stop) ? o.stop : [o.stop];
    if (stop.length) out.stop = stop;
  }
  return out;
}

function formatField(format: OllamaChatRequest["format"]): Pick<OpenAIChatRequest, "response_format"> {
  if (format === undefined || format === "") return {};
  if (format === "json") return { response_format: { type: "json_object" } };
  return { response_format: { type: "json_schema", json_schema: { name: "response", schema: format } } };
}

function thinkField(think: OllamaChatRequest["think"]): Pick<OpenAIChatRequest, "chat_template_kwargs" | "reasoning_effort"> {
  if (think === undefined) return {};
  if (typeof think === "boolean") return reasoningControls(think);
  return reasoningControls(true, think);
}

function streamField(stream: boolean): Pick<OpenAIChatRequest, "stream" | "stream_options"> {
  // include_usage gives the final NDJSON line its eval counts.
  return stream ? { stream: true, stream_options: { include_usage: true } } : { stream: false };
}

function userContent(m: OllamaMessage): string | OpenAIContentPart[] {
  if (!m.images?.length) return m.content;
  const parts: OpenAIContentPart[] = m.images.map((img) => ({ type: "image_url", image_url: { url: imageDataUrl(img) } }));
  if (m.content) parts.push({ type: "text", text: m.content });
  return parts;
}

/**
 * Ollama tool calls carry no ids (older clients) and tool results name the tool rather than the
 * call, so ids are made up per call and each result is paired with the oldest unanswered call of
 * the same name (then the oldest unanswered call of any name).
 */
function ollamaMessagesToOpenAI(messages: OllamaMessage[]): OpenAIMessage[] {
  const out: OpenAIMessage[] = [];
  const unanswered: { id: string; name: string }[] = [];
  messages.forEach((m, mi) => {
    switch (m.role) {
      case "system":
        out.push({ role: "system", content: m.content });
        break;
      case "user":
        out.push({ role: "user", content: userContent(m) });
        break;
      case "assistant": {
        const calls: OpenAIToolCall[] = (m.tool_calls ?? []).map((c, ci) => {
          const id = c.id ?? `call_${mi}_${ci}`;
          unanswered.push({ id, name: c.function.name });
          const args = c.function.arguments;
          return { id, type: "function", function: { name: c.function.name, arguments: typeof args === "string" ? args : JSON.stringify(args ?? {}) } };
        });
        const msg: Extract<OpenAIMessage, { role: "assistant" }> = { role: "assistant", content: m.content || (calls.length ? null : "") };
        if (calls.length) msg.tool_calls = calls;
        if (m.thinking) msg.reasoning = m.thinking;
        out.push(msg);
        break;
      }
      case "tool": {
        let at = m.tool_call_id ? unanswered.findIndex((c) => c.id === m.tool_call_id) : -1;
        if (at < 0 && m.tool_name) at = unanswered.findIndex((c) => c.name === m.tool_name);
        if (at < 0 && unanswered.length) at = 0;
        const id = at >= 0 ? unanswered.splice(at, 1)[0]!.id : (m.tool_call_id ?? `call_${mi}`);
        out.push({ role: "tool", tool_call_id: id, content: m.content });
        break;
      }
    }
  });
  return out;
}

export function ollamaChatToOpenAI(req: OllamaChatRequest, opts: OllamaToOpenAIOptions): OpenAIChatRequest {
  const out: OpenAIChatRequest = {
    model: opts.model,
    messages: ollamaMessagesToOpenAI(req.messages),
    ...samplingFromOptions(req.options, opts.maxTokens),
    ...formatField(req.format),
    ...thinkField(req.think),
    ...streamField(req.stream),
  };
  if (req.tools?.length) {
    out.tools = req.tools.map((t): OpenAITool => ({
      type: "function",
      function: {
        name: t.function.name,
        ...(t.function.description ? { description: t.function.description } : {}),
        parameters: t.function.parameters ?? { type: "object", properties: {} },
      },
    }));
  }
  return out;
}

export type OllamaGenerateCall = { endpoint: "/v1/chat/completions"; body: OpenAIChatRequest } | { endpoint: "/v1/completions"; body: OpenAICompletionRequest };

/**
 * /api/generate applies the model's template unless `raw` is set, so it becomes a one-turn chat;
 * raw (and fill-in-the-middle with `suffix`) go to the plain completions endpoint untemplated.
 */
export function ollamaGenerateToOpenAI(req: OllamaGenerateRequest, opts: OllamaToOpenAIOptions): OllamaGenerateCall {
  const sampling = samplingFromOptions(req.options, opts.maxTokens);
  if (req.raw || req.suffix !== undefined) {
    const body: OpenAICompletionRequest = { model: opts.model, prompt: req.prompt, ...sampling, ...streamField(req.stream) };
    if (req.suffix !== undefined) body.suffix = req.suffix;
    return { endpoint: "/v1/completions", body };
  }
  const messages: OpenAIMessage[] = [];
  if (req.system) messages.push({ role: "system", content: req.system });
  messages.push({ role: "user", content: userContent({ role: "user", content: req.prompt, images: req.images ?? null }) });
  return {
    endpoint: "/v1/chat/completions",
    body: { model: opts.model, messages, ...sampling, ...formatField(req.format), ...thinkField(req.think), ...streamField(req.stream) },
  };
}

export function ollamaEmbedToOpenAI(req: OllamaEmbedRequest, opts: { model: string }): OpenAIEmbeddingRequest {
  const out: OpenAIEmbeddingRequest = { model: opts.model, input: req.input };
  if (req.dimensions !== undefined) out.dimensions = req.dimensions;
  return out;
}

export function ollamaEmbeddingsToOpenAI(req: OllamaEmbeddingsRequest, opts: { model: string }): OpenAIEmbeddingRequest {
  return { model: opts.model, input: req.prompt };
}
