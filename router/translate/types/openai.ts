// OpenAI chat-completions wire types: what the translators send to OpenAI-compatible engines
// (vLLM, llama.cpp, Ollama's /v1) and what they read back. Engine extensions are marked.

interface OpenAITextPart {
  type: "text";
  text: string;
}
interface OpenAIImagePart {
  type: "image_url";
  image_url: { url: string };
}
export type OpenAIContentPart = OpenAITextPart | OpenAIImagePart;

export interface OpenAIToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export type OpenAIMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string | OpenAIContentPart[] }
  | {
      role: "assistant";
      content: string | null;
      tool_calls?: OpenAIToolCall[];
      /** vLLM >= 0.16 reads prior reasoning from `reasoning` (vllm-project/vllm#27752). */
      reasoning?: string;
    }
  | { role: "tool"; tool_call_id: string; content: string };

export interface OpenAITool {
  type: "function";
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

export type OpenAIToolChoice = "auto" | "none" | "required" | { type: "function"; function: { name: string } };

/** Sampling and streaming fields shared by chat and plain completions. */
interface OpenAISampling {
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  /** Not in OpenAI's API; vLLM and llama.cpp accept it as a sampling parameter. */
  top_k?: number;
  min_p?: number;
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  /** vLLM's name for llama.cpp/Ollama's repeat_penalty. */
  repetition_penalty?: number;
  stop?: string[];
  stream?: boolean;
  stream_options?: { include_usage: boolean };
}

export interface OpenAIChatRequest extends OpenAISampling {
  model: string;
  messages: OpenAIMessage[];
  tools?: OpenAITool[];
  tool_choice?: OpenAIToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: { type: "json_object" } | { type: "json_schema"; json_schema: { name: string; schema: Record<string, unknown>; strict?: boolean } };
  /** vLLM and llama.cpp pass these to the chat template (e.g. Qwen3's enable_thinking). */
  chat_template_kwargs?: Record<string, unknown>;
  reasoning_effort?: "low" | "medium" | "high";
}

export interface OpenAICompletionRequest extends OpenAISampling {
  model: string;
  prompt: string;
  suffix?: string;
}

export interface OpenAIEmbeddingRequest {
  model: string;
  input: string | string[];
  dimensions?: number;
}

export interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

export type OpenAIFinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call" | (string & {});

export interface OpenAIChatCompletion {
  id?: string;
  model?: string;
  created?: number;
  choices: {
    index?: number;
    message: {
      role?: string;
      content?: string | null;
      /** Older vLLM, DeepSeek, llama.cpp. */
      reasoning_content?: string | null;
      /** vLLM >= 0.16 (vllm-project/vllm#27752). */
      reasoning?: string | null;
      tool_calls?: OpenAIToolCall[] | null;
    };
    finish_reason?: OpenAIFinishReason | null;
    /** vLLM extension: the stop string (or token id) that ended generation. */
    stop_reason?: string | number | null;
  }[];
  usage?: OpenAIUsage | null;
}

export interface OpenAICompletion {
  id?: string;
  model?: string;
  choices: { index?: number; text: string; finish_reason?: OpenAIFinishReason | null; stop_reason?: string | number | null }[];
  usage?: OpenAIUsage | null;
}

export interface OpenAIEmbeddingResponse {
  data: { index?: number; embedding: number[] }[];
  model?: string;
  usage?: OpenAIUsage | null;
}

export interface OpenAIToolCallDelta {
  index?: number;
  id?: string | null;
  type?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

/** One `data:` payload of an OpenAI chat (or completions) stream. */
export interface OpenAIChatChunk {
  id?: string;
  model?: string;
  choices?: {
    index?: number;
    delta?: {
      role?: string | null;
      content?: string | null;
      reasoning_content?: string | null;
      reasoning?: string | null;
      tool_calls?: OpenAIToolCallDelta[] | null;
    } | null;
    /** Present in /v1/completions streams. */
    text?: string | null;
    finish_reason?: OpenAIFinishReason | null;
    stop_reason?: string | number | null;
  }[];
  usage?: OpenAIUsage | null;
  /** Engines report mid-stream failures as a data payload carrying `error` (or `object: "error"`). */
  error?: { message?: string; type?: string; code?: unknown } | string;
  object?: string;
  message?: string;
}
