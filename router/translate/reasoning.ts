// One knob for "think / don't think" on OpenAI-compatible engines, shared by the Anthropic and Ollama faces.
// vLLM and llama.cpp hand `chat_template_kwargs` to the model's chat template; Qwen3-style templates read
// `enable_thinking` (qwen.readthedocs.io deployment/vllm "thinking-non-thinking-modes"; vLLM qwen3 reasoning
// parser). `reasoning_effort` is the OpenAI field vLLM maps for gpt-oss-style models; engines that do not
// know a field ignore it.
import type { OpenAIChatRequest } from "./types/openai.js";

export type ReasoningEffort = "low" | "medium" | "high";

export function reasoningControls(enabled: boolean, effort?: ReasoningEffort): Pick<OpenAIChatRequest, "chat_template_kwargs" | "reasoning_effort"> {
  const out: Pick<OpenAIChatRequest, "chat_template_kwargs" | "reasoning_effort"> = {
    chat_template_kwargs: { enable_thinking: enabled },
  };
  if (enabled && effort) out.reasoning_effort = effort;
  return out;
}

/** Anthropic's thinking budget expressed as an effort level (thresholds are ours: a rough scale). */
export function effortForBudget(budgetTokens: number | undefined): ReasoningEffort | undefined {
  if (budgetTokens === undefined) return undefined;
  if (budgetTokens < 4096) return "low";
  if (budgetTokens < 16384) return "medium";
  return "high";
}

/** Reasoning text from a message or delta: vLLM renamed `reasoning_content` to `reasoning` (vllm-project/vllm#27752); accept both. */
export function reasoningText(m: { reasoning?: string | null; reasoning_content?: string | null } | null | undefined): string {
  if (!m) return "";
  if (typeof m.reasoning === "string" && m.reasoning) return m.reasoning;
  if (typeof m.reasoning_content === "string" && m.reasoning_content) return m.reasoning_content;
  return "";
}
