// Prompt tokens of a request on one backend, shared by the Anthropic and Ollama faces: the engine's
// own tokenizer where it has one (vLLM POST /tokenize; llama.cpp POST /apply-template then POST
// /tokenize), else the caller's estimate, which errs high. Any tokenizer failure falls back to the
// estimate: a count must never be a fake 0, which Claude Code trusts and never compacts
// (Wei-Shaw/sub2api#657; test/router/faces/anthropic.test.ts, "%s counts with the %s, never 0").
import type { Engine } from "../config/schema.js";
import type { ProbeIO } from "../engines/types.js";
import {
  llamacppApplyTemplateFormCall,
  llamacppRawTokenizeCall,
  llamacppTokenizeCall,
  readLlamacppTokenize,
  readVllmTokenize,
  vllmTokenizeFormCall,
  type PromptForm,
} from "../translate/index.js";

export interface TokenCount {
  tokens: number;
  /** Where the number came from, for the x-router-token-count header and tests. */
  source: "tokenizer" | "estimate";
}

async function llamacppCount(form: PromptForm, io: ProbeIO): Promise<number | undefined> {
  let tok: { path: string; body: unknown } | undefined;
  if ("prompt" in form) tok = llamacppRawTokenizeCall(form.prompt);
  else {
    const apply = llamacppApplyTemplateFormCall(form);
    const rendered = await io.post(apply.path, apply.body);
    tok = rendered.status === 200 ? llamacppTokenizeCall(rendered.json) : undefined;
  }
  if (!tok) return undefined;
  const r = await io.post(tok.path, tok.body);
  return r.status === 200 ? readLlamacppTokenize(r.json) : undefined;
}

export async function countPromptForm(form: PromptForm, estimate: number, engine: Engine, model: string, io: ProbeIO | undefined): Promise<TokenCount> {
  const fallback: TokenCount = { tokens: estimate, source: "estimate" };
  if (!io) return fallback;
  try {
    let n: number | undefined;
    if (engine === "vllm") {
      const call = vllmTokenizeFormCall(form, model);
      const r = await io.post(call.path, call.body);
      n = r.status === 200 ? readVllmTokenize(r.json)?.inputTokens : undefined;
    } else if (engine === "llamacpp") {
      n = await llamacppCount(form, io);
    }
    return n !== undefined && n > 0 ? { tokens: n, source: "tokenizer" } : fallback;
  } catch {
    // Transport error or timeout: the estimate still answers.
    return fallback;
  }
}
