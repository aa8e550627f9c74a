// Small Markdown helpers shared by the state and diff renderers.
import { createHash } from "node:crypto";
import { isSecretValue, secretEnvPattern, type AliasTarget, type Json } from "./types.js";

const masked = "[secret]";

/** Inline code that survives any content (a longer fence when the text holds backticks). */
export function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A value as short readable text; secrets masked. */
export function show(v: Json | undefined): string {
  if (v === undefined || v === null) return "";
  if (isSecretValue(v)) return masked;
  if (typeof v === "string") return v.replace(secretEnvPattern, masked);
  if (Array.isArray(v)) return v.map(show).join(" ");
  if (typeof v === "object") return JSON.stringify(maskJson(v));
  return String(v);
}

function maskJson(v: Json): Json {
  if (isSecretValue(v)) return masked;
  if (typeof v === "string") return v.replace(secretEnvPattern, masked);
  if (Array.isArray(v)) return v.map(maskJson);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskJson(x)]));
  return v;
}

export function shortDigest(text: string): string {
  return `sha256:${createHash("sha256").update(text, "utf8").digest("hex").slice(0, 12)}…`;
}

/** `model @ backend, model @ backend` in priority order. */
export function targetList(targets: readonly AliasTarget[] | undefined): string {
  if (targets === undefined) return "(none)";
  if (targets.length === 0) return "(no targets)";
  return targets.map((t) => `${t.model} @ ${t.backend}`).join(", ");
}

/** The line a reviewer reads for one alias: `coder: A @ x → B @ y`. */
export function aliasChangeLine(alias: string, before: readonly AliasTarget[] | undefined, after: readonly AliasTarget[] | undefined): string {
  return `${alias}: ${targetList(before)} → ${after === undefined ? "(removed)" : targetList(after)}`;
}

/** Last safety net: no placeholder secret (or masked env value) survives into the report. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text.replace(secretEnvPattern, masked);
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s) out = out.split(s).join(masked);
  return out;
}
