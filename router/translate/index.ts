/**
 * Dialect translation for the Anthropic and Ollama faces: pure functions and two stream state
 * machines, no sockets. The faces call these when the client's dialect differs from the backend's.
 *
 * Request bodies (zod, loose so new client fields pass):
 *   types/anthropic.ts  anthropicMessagesRequestSchema, anthropicCountTokensRequestSchema (+ response/event types)
 *   types/ollama.ts     ollamaChatRequestSchema, ollamaGenerateRequestSchema, ollamaEmbedRequestSchema,
 *                       ollamaEmbeddingsRequestSchema (+ response types)
 *   types/openai.ts     OpenAI chat/completions/embeddings request, response and chunk types
 *
 * Anthropic face:
 *   anthropic-request.ts   anthropicToOpenAI, anthropicMessagesToOpenAI, anthropicToolsToOpenAI
 *   anthropic-native.ts    nativeMessagesBody (what an engine's own /v1/messages accepts)
 *   anthropic-response.ts  openAIToAnthropic, anthropicStopReason, parseToolInput, newMessageId
 *   anthropic-stream.ts    AnthropicStreamTranslator (push / end / error / ping), formatSseEvent
 *   count-tokens.ts        estimateTextTokens, estimateInputTokens, countTokensResponse, vllmTokenizeFormCall, readVllmTokenize,
 *                          llamacppApplyTemplateFormCall, llamacppTokenizeCall, readLlamacppTokenize
 *   claude-models.ts       claudeFamily, resolveClaudeModel
 *
 * Ollama face:
 *   ollama-request.ts      ollamaChatToOpenAI, ollamaGenerateToOpenAI, ollamaEmbedToOpenAI, ollamaEmbeddingsToOpenAI
 *   ollama-response.ts     openAIToOllamaChat, openAIToOllamaGenerate, openAIToOllamaEmbed, openAIToOllamaEmbeddings
 *   ollama-stream.ts       OllamaStreamTranslator (push / end / error)
 *
 * Shared:
 *   context.ts    planOutputTokens, contextOverflowError
 *   reasoning.ts  reasoningControls, reasoningText
 *   sse.ts        SseDataDecoder
 */
export * from "./types/anthropic.js";
export * from "./types/ollama.js";
export type * from "./types/openai.js";
export * from "./anthropic-request.js";
export * from "./anthropic-native.js";
export * from "./anthropic-response.js";
export * from "./anthropic-stream.js";
export * from "./count-tokens.js";
export * from "./claude-models.js";
export * from "./ollama-request.js";
export * from "./ollama-response.js";
export * from "./ollama-stream.js";
export * from "./context.js";
export * from "./reasoning.js";
export * from "./sse.js";
