// Output budget per target, shared by the Anthropic and Ollama faces: a max_tokens that fits the
// target's context (Claude Code asks for 32000 of a 32k model: farion1231/cc-switch#1022). The cheap high
// estimate decides first; only when it says "too big" is the engine's tokenizer asked, so the common
// request costs no extra call.
import { planOutputTokens } from "../translate/index.js";
import type { TokenCount } from "./count.js";
import type { OutputClamp } from "./types.js";

export interface FitInput {
  /** The client's output limit; undefined when it set none (the engine then fills what is left). */
  requested: number | undefined;
  contextLength: number | undefined;
  /** A prompt estimate that errs high. */
  estimate: number;
  /** The engine's own count, asked for only when the estimate does not fit. */
  count: () => Promise<TokenCount>;
}

export type Fit = { fits: true; maxTokens: number | undefined; promptTokens?: number } | { fits: false; promptTokens: number; contextLength: number };

export async function fitOutput(input: FitInput): Promise<Fit> {
  const ctx = input.contextLength;
  if (ctx === undefined) return { fits: true, maxTokens: input.requested };
  // Without a client limit only the prompt has to fit: one token of output is the least worth asking for.
  const want = input.requested ?? 1;
  const rough = planOutputTokens({ promptTokens: input.estimate, requestedMaxTokens: want, contextLength: ctx });
  if (rough.fits && !rough.clamped) return { fits: true, maxTokens: input.requested };
  const counted = await input.count();
  const plan = planOutputTokens({ promptTokens: counted.tokens, requestedMaxTokens: want, contextLength: ctx });
  if (!plan.fits) return { fits: false, promptTokens: counted.tokens, contextLength: ctx };
  return { fits: true, maxTokens: input.requested === undefined ? undefined : plan.maxTokens, promptTokens: counted.tokens };
}

/** The plan's `clamp` field when the limit sent is below the one asked for (the x-router-max-tokens header). */
export function clampOf(requested: number | undefined, sent: number | undefined): { clamp?: OutputClamp } {
  return requested !== undefined && sent !== undefined && sent < requested ? { clamp: { requested, sent } } : {};
}
