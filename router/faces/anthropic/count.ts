// Prompt tokens of an Anthropic request on one backend: the request in the OpenAI form the engine's
// tokenizer takes, counted by the shared counter, with the Anthropic estimate as the fallback.
import type { Engine } from "../../config/schema.js";
import type { ProbeIO } from "../../engines/types.js";
import { estimateInputTokens, openAIForm, type AnthropicCountTokensRequest } from "../../translate/index.js";
import { countPromptForm, type TokenCount } from "../count.js";

export type { TokenCount } from "../count.js";

export function countPromptTokens(req: AnthropicCountTokensRequest, engine: Engine, model: string, io: ProbeIO | undefined): Promise<TokenCount> {
  return countPromptForm(openAIForm(req), estimateInputTokens(req), engine, model, io);
}
