// Passthrough or translation, per backend. A backend that speaks Messages natively gets the client's
// request with only the model (and a clamped max_tokens) rewritten; everything else is translated to
// OpenAI chat completions.
//
// Which engines serve POST /v1/messages:
// - Ollama >= 0.14.0 (ollama.com/blog/claude, docs.ollama.com/api/anthropic-compatibility).
// - llama.cpp server since ggml-org/llama.cpp PR #17570 (Nov 2025; also /v1/messages/count_tokens).
// - vLLM since vllm-project/vllm PR #22627 (issue #21313).
// The router learns Ollama's version from /api/version; it does not learn vLLM's or llama.cpp's, so
// `auto` picks native only for an Ollama that says it is new enough. Set `anthropic: native` on a
// vLLM or llama.cpp backend known to be recent.
import type { BackendConfig, Engine } from "../../config/schema.js";

export type AnthropicMode = "native" | "translate";

/** Parses "0.14.0", "v0.14.1-rc2", "0.15" into numbers; undefined when not a version. */
function parseVersion(v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(v.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

function atLeast(version: string | undefined, min: readonly number[]): boolean {
  const v = parseVersion(version);
  if (!v) return false;
  for (let i = 0; i < min.length; i++) {
    const a = v[i] ?? 0;
    const b = min[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

const OLLAMA_NATIVE_MESSAGES = [0, 14, 0] as const;

export function anthropicMode(setting: BackendConfig["anthropic"], engine: Engine, version: string | undefined): AnthropicMode {
  if (setting !== "auto") return setting;
  if (engine === "ollama" && atLeast(version, OLLAMA_NATIVE_MESSAGES)) return "native";
  return "translate";
}
