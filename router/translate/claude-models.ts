// Claude Code asks for claude-* model names (haiku for background work, sonnet/opus for the main
// loop). The router config's optional `claudeModels` maps those families onto aliases.
// Name forms seen: claude-3-5-haiku-20241022, claude-haiku-4-5, claude-sonnet-4-5-20250929,
// claude-3-opus-latest, claude-opus-4-1, and Claude Code's context suffix claude-sonnet-4-5[1m].
import type { RouterConfig } from "../config/schema.js";

type ClaudeFamily = "haiku" | "sonnet" | "opus";

/** The family of a claude-* name; "other" for an unrecognised claude-* name; undefined if not a claude name. */
function claudeFamily(model: string): ClaudeFamily | "other" | undefined {
  const name = model.trim().toLowerCase();
  if (!name.startsWith("claude-")) return undefined;
  const m = /(?:^|-)(haiku|sonnet|opus)(?=$|-|\[)/.exec(name);
  return m ? (m[1] as ClaudeFamily) : "other";
}

/**
 * The alias a requested model name stands for: a claude-* name maps through its family, then
 * `default`; any other name is returned unchanged (it is an alias itself). Undefined means a claude
 * name with no mapping — the face answers not_found with the names it knows.
 */
export function resolveClaudeModel(model: string, claudeModels: RouterConfig["claudeModels"]): string | undefined {
  const family = claudeFamily(model);
  if (family === undefined) return model;
  const mapped = family === "other" ? undefined : claudeModels?.[family];
  return mapped ?? claudeModels?.default;
}
