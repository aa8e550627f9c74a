// The OpenAI face's output budget: `max_tokens` / `max_completion_tokens` fitted to the chosen target's
// context with the counting the Anthropic and Ollama faces use (faces/fit.ts). A coding agent that asks
// for 32000 output tokens beside a long system prompt would otherwise get vLLM's 400 "maximum context
// length" from a 32k model (test/router/faces/context-fit.test.ts). A context the engine did not report
// is never assumed: without one the request passes as it came.
import type { ProbeIO } from "../../engines/types.js";
import {
  contextOverflowError,
  estimatePromptFormTokens,
  estimateTextTokens,
  type OpenAIMessage,
  type OpenAITool,
  type PromptForm,
} from "../../translate/index.js";
import { countPromptForm } from "../count.js";
import { clampOf, fitOutput } from "../fit.js";
import type { JsonObject, OutputClamp, PlanTarget, RouterError } from "../types.js";

/** The fields that carry an output limit; vLLM reads `max_completion_tokens` first. */
const LIMIT_FIELDS = ["max_completion_tokens", "max_tokens"] as const;

function positive(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : undefined;
}

/** The prompt as the engine's tokenizer takes it; undefined for shapes that cannot be counted (token arrays, batches). */
function promptForm(kind: string, body: Readonly<JsonObject>): PromptForm | undefined {
  if (kind === "completions") return typeof body.prompt === "string" ? { prompt: body.prompt } : undefined;
  if (kind !== "chat" || !Array.isArray(body.messages)) return undefined;
  const messages = body.messages as OpenAIMessage[];
  return Array.isArray(body.tools) ? { messages, tools: body.tools as OpenAITool[] } : { messages };
}

/** The shared estimate where the body has the usual shapes; the JSON text (which errs higher still) where it does not. */
function estimate(form: PromptForm): number {
  try {
    return estimatePromptFormTokens(form);
  } catch {
    return Math.max(1, estimateTextTokens(JSON.stringify(form)));
  }
}

/**
 * Lowers the output limit of `body` (the plan's own copy) to what the prompt leaves of the target's
 * context. Returns the clamp when it lowered one (nothing when it did not), or the context error when
 * the prompt alone does not fit (the next target may hold it).
 */
export async function fitOpenAIOutput(
  kind: string,
  body: JsonObject,
  target: PlanTarget,
  io: ProbeIO | undefined,
): Promise<{ clamp?: OutputClamp } | RouterError> {
  if (target.contextLength === undefined) return {};
  const form = promptForm(kind, body);
  if (!form) return {};
  const requested = positive(body.max_completion_tokens) ?? positive(body.max_tokens);
  const rough = estimate(form);
  const fit = await fitOutput({
    requested,
    contextLength: target.contextLength,
    estimate: rough,
    count: () => countPromptForm(form, rough, target.engine, target.model, io),
  });
  if (!fit.fits) return contextOverflowError("openai", fit.promptTokens, fit.contextLength);
  const clamp = clampOf(requested, fit.maxTokens);
  if (clamp.clamp) for (const f of LIMIT_FIELDS) if (positive(body[f]) !== undefined) body[f] = clamp.clamp.sent;
  return clamp;
}
