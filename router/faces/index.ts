// The dialects the router speaks, all always served: OpenAI, Anthropic Messages, Ollama.
import { anthropicFace } from "./anthropic/index.js";
import { ollamaFace } from "./ollama/index.js";
import { openaiFace } from "./openai/index.js";
import type { Face } from "./types.js";

export const faces: readonly [Face, ...Face[]] = [openaiFace, anthropicFace, ollamaFace];
