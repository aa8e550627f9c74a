// Engine fakes for the router's tests, the soak and the bench: vLLM, Ollama, llama.cpp and a generic OpenAI-compatible server,
// in-process on loopback ports, behaving like the real servers (status codes, framing, load state).

export { startFakeEngine } from "./server.js";
export type { FakeEngine, FakeEngineOptions, FakeReply, FakeRequest } from "./types.js";
export { applyChatTemplate, countTokens, tokenize } from "./tokens.js";
