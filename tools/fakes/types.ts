// Public types of the engine fakes. Router, fault and soak tests code against these names.

export type FakeEngineKind = "vllm" | "ollama" | "llamacpp" | "openai";

/** What a request asked for, reduced to what a deterministic generator needs. */
export interface FakeRequest {
  engine: FakeEngineKind;
  path: string;
  model: string;
  /** Flattened conversation: one entry per message, text parts joined. */
  messages: { role: string; content: string }[];
  /** Raw prompt for completion-style requests (/v1/completions, /api/generate). */
  prompt?: string;
  lastUserMessage: string;
  stream: boolean;
  maxTokens?: number;
  tools: string[];
  body: unknown;
}

export interface FakeReply {
  content?: string;
  reasoning?: string;
  toolCalls?: { name: string; arguments: string }[];
  finishReason?: string;
  promptTokens?: number;
  completionTokens?: number;
}

export interface FakeEngineOptions {
  engine: FakeEngineKind;
  /** Served (vLLM/llama.cpp/openai) or installed (Ollama) models. */
  models: string[];
  /** Ollama: loaded at start (default none: cold). */
  loaded?: string[];
  /** Ollama: cold-load time of a model; llama.cpp: /health 503 "Loading model" for this long after start. */
  loadDelayMs?: number;
  /** Ollama: cold-load time per model (names as installed), overriding loadDelayMs for those. */
  loadDelaysMs?: Record<string, number>;
  /** Ollama: called when a request must wait for its model to load (cold, still loading, or being evicted). */
  onColdRequest?: (model: string) => void;
  /** Ollama OLLAMA_NUM_PARALLEL (default 1) / llama.cpp slots (default 4): extra requests queue inside. */
  numParallel?: number;
  /** Ollama OLLAMA_MAX_QUEUE (default 512): beyond it, 503 "server busy". */
  maxQueue?: number;
  /** Ollama OLLAMA_MAX_LOADED_MODELS (default 1): loading another evicts the least recently used idle one. */
  maxLoadedModels?: number;
  /** Ollama: unload after idle (default 5 min); a request's keep_alive overrides it. */
  keepAliveMs?: number;
  /** Ollama: a client that disconnects while its model loads aborts the load (default true, as the real engine). */
  abortLoadOnDisconnect?: boolean;
  /** llama.cpp: stop a non-streamed generation when its client leaves (default false, like llama-server). */
  cancelNonStreaming?: boolean;
  /** vLLM max_model_len / llama.cpp n_ctx / Ollama context length (default 32768). */
  contextLength?: number;
  /** Delay between streamed chunks (default 0). */
  chunkDelayMs?: number;
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey?: string;
  /** Also serve Anthropic Messages at /v1/messages (vLLM, llama.cpp and Ollama >= 0.14.0 do). */
  anthropic?: boolean;
  /** vLLM: name of the reasoning field in messages and deltas (default "reasoning"; older vLLM: "reasoning_content"). */
  reasoningField?: "reasoning" | "reasoning_content";
  /** vLLM: --enable-prompt-tokens-details, usage.prompt_tokens_details.cached_tokens (prefix cache hits, whole 16-token blocks). */
  promptTokensDetails?: boolean;
  /** Deterministic generation; default echoes a fixed text derived from the last user message. */
  reply?: (req: FakeRequest) => FakeReply;
  /**
   * Ollama: whether the models sit in GPU memory. Default false: /api/ps reports size_vram 0, as
   * v0.17.4 did on a CPU-only host (scripts/e2e/FACTS.md); true reports the whole size there.
   */
  gpu?: boolean;
  /** Host to listen on (default 127.0.0.1). */
  host?: string;
  /** Port to listen on (default 0: ephemeral). */
  port?: number;
}

export type FaultSpec = {
  mode:
    | "ok"
    | "refuse" /* connection refused: server not listening */
    | "hang" /* accept, never answer */
    | "stall-after-headers" /* send 200 headers (+ first chunk when streaming), then stall */
    | "reset-before-headers" /* destroy socket on request */
    | "status";
  status?: number;
  /** How many requests get it, then back to ok; default infinite. */
  statusCount?: number;
  retryAfterS?: number;
  body?: string;
  /** Restrict to these paths; default inference paths only. */
  paths?: string[];
};

export interface FakeStats {
  /** Requests by path (query string removed). */
  requests: Record<string, number>;
  inFlight: number;
  maxInFlight: number;
  generationsStarted: number;
  generationsCompleted: number;
  generationsAborted: number;
  /** Generations running now and the most that ever ran at once (the parallel bound shows here). */
  activeGenerations: number;
  maxActiveGenerations: number;
  /** Ollama: cold loads begun, finished, and aborted by a disconnecting client. */
  loadsStarted: number;
  loadsCompleted: number;
  loadsAborted: number;
  evictions: number;
  openConnections: number;
  lastRequestBody?: unknown;
  lastRequestHeaders?: Record<string, string | string[] | undefined>;
}

export interface FakeEngine {
  url: string;
  port: number;
  options: FakeEngineOptions;
  faults: { set(f: FaultSpec): void; clear(): void; current(): FaultSpec; settled(): Promise<void> };
  stats: FakeStats;
  /** Models ready to generate (Ollama: fully loaded; llama.cpp: none while loading). */
  loadedModels(): string[];
  /** Ollama: models whose load is under way (they already show in /api/ps). */
  loadingModels(): string[];
  /** Whether a request for the model would start at once: listening, the model loaded, a slot free, nobody waiting. */
  readyFor(model: string): boolean;
  /** Resolves when no request is in flight and no generation is running. */
  idle(): Promise<void>;
  stop(): Promise<void>;
  kill(): Promise<void>;
  restart(): Promise<void>;
}
