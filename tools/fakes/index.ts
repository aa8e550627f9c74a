// Engine fakes for router tests: vLLM, Ollama, llama.cpp and a generic OpenAI-compatible server,
// in-process on loopback ports, behaving like the real servers (status codes, framing, load state).

export { startFakeEngine } from "./server.js";
export type {
  FakeEngine,
  FakeEngineKind,
  FakeEngineOptions,
  FakeReply,
  FakeRequest,
  FakeStats,
  FaultSpec,
} from "./types.js";
export { applyChatTemplate, countTokens, tokenize } from "./tokens.js";
export { INFERENCE_PATHS } from "./faults.js";
