import type { Engine } from "../config/schema.js";
import { llamacppAdapter } from "./llamacpp.js";
import { ollamaAdapter } from "./ollama.js";
import { openaiAdapter } from "./openai.js";
import type { EngineAdapter } from "./types.js";
import { vllmAdapter } from "./vllm.js";

export const adapters: Record<Engine, EngineAdapter> = {
  vllm: vllmAdapter,
  ollama: ollamaAdapter,
  llamacpp: llamacppAdapter,
  openai: openaiAdapter,
};
