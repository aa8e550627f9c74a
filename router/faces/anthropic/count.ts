// Prompt tokens of an Anthropic request on one backend: the engine's own tokenizer where it has one
// (vLLM POST /tokenize in chat form; llama.cpp POST /apply-template then POST /tokenize), else the
// documented estimate that errs high. Any failure of the tokenizer falls back to the estimate:
// count_tokens must never answer a fake 0 (field notes item 5).
import type { Engine } from "../../config/schema.js";
import type { ProbeIO } from "../../engines/types.js";
import {
  estimateInputTokens,
  llamacppApplyTemplateCall,
  llamacppTokenizeCall,
  readLlamacppTokenize,
  readVllmTokenize,
  vllmTokenizeCall,
  type AnthropicCountTokensRequest,
} from "../../translate/index.js";

export interface TokenCount {
  tokens: number;
  /** Where the number came from, for the x-router-token-count header and tests. */
  source: "tokenizer" | "estimate";
}

export async function countPromptTokens(req: AnthropicCountTokensRequest, engine: Engine, model: string, io: ProbeIO | undefined): Promise<TokenCount> {
  const estimate: TokenCount = { tokens: estimateInputTokens(req), source: "estimate" };
  if (!io) return estimate;
  try {
    if (engine === "vllm") {
      const call = vllmTokenizeCall(req, model);
      const r = await io.post(call.path, call.body);
      const n = r.status === 200 ? readVllmTokenize(r.json)?.inputTokens : undefined;
      return n !== undefined && n > 0 ? { tokens: n, source: "tokenizer" } : estimate;
    }
    if (engine === "llamacpp") {
      const apply = llamacppApplyTemplateCall(req);
      const rendered = await io.post(apply.path, apply.body);
      const tok = rendered.status === 200 ? llamacppTokenizeCall(rendered.json) : undefined;
      if (!tok) return estimate;
      const r = await io.post(tok.path, tok.body);
      const n = r.status === 200 ? readLlamacppTokenize(r.json) : undefined;
      return n !== undefined && n > 0 ? { tokens: n, source: "tokenizer" } : estimate;
    }
  } catch {
    // Transport error or timeout: the estimate still answers.
  }
  return estimate;
}
