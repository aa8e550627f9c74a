// The whole Markdown report: what a reviewer cares about first (alias changes, replacements), then
// the resource changes, then the desired state. Deterministic: no timestamps, stable ordering.
import { disruptiveReplacements, replacements, type PlanDiff, type ResourceChange } from "./diff.js";
import { aliasChangeLine, code, scrub } from "./format.js";
import { renderState } from "./state.js";
import type { Capture } from "./types.js";

export interface BaseInfo {
  /** The ref as the user gave it. */
  ref: string;
  /** Its commit, abbreviated. */
  commit: string;
}

const shortType = (t: string): string => t.replace(/^docker:index\/\w+:/, "docker:").replace(/^kubernetes:[^:]+:/, "k8s:");

function changedInputs(r: ResourceChange): string {
  return r.changed.map((p) => (p === "envs" && r.envNames.length ? `envs (${r.envNames.join(", ")})` : p)).join(", ");
}

function resourceLine(r: ResourceChange): string {
  const head = `- ${code(r.name)} (${shortType(r.type)}, on ${code(r.group)})`;
  if (r.kind !== "changed") return head;
  const verdict = r.replacing.length ? ` — **replaced** (forced by ${r.replacing.join(", ")})` : " — updated in place";
  return `${head}: ${changedInputs(r)}${verdict}`;
}

function replacementSection(diff: PlanDiff): string[] {
  const out = ["## Replacements", ""];
  const disruptive = disruptiveReplacements(diff);
  const containers = disruptive.filter((r) => r.type === "docker:index/container:Container");
  if (containers.length === 0) out.push("No container replaced.", "");
  for (const r of disruptive) {
    const what = r.type === "docker:index/container:Container" ? "container" : "volume";
    out.push(
      "> [!WARNING]",
      `> ⚠ REPLACES ${what} ${code(r.name)} on ${code(r.group)}: it is deleted and created again (forced by ${changedInputs({ ...r, changed: r.replacing })}).`,
      "",
    );
  }
  const quiet = replacements(diff).filter((r) => !disruptive.includes(r));
  if (quiet.length) {
    out.push("Also replaced (nothing restarts):", "", ...quiet.map(resourceLine), "");
  }
  return out;
}

function changesSection(diff: PlanDiff): string[] {
  const out = ["## Resource changes", ""];
  if (diff.resources.length === 0) out.push("No resource added, removed or changed.", "");
  for (const kind of ["added", "removed", "changed"] as const) {
    const rs = diff.resources.filter((r) => r.kind === kind);
    if (rs.length) out.push(`**${kind[0]?.toUpperCase()}${kind.slice(1)}** (${rs.length})`, "", ...rs.map(resourceLine), "");
  }
  if (diff.outputs.length) out.push(`Stack outputs changed: ${diff.outputs.map(code).join(", ")}`, "");
  return out;
}

/** The report for a stack; with a diff, the changes come first and the state goes in a fold. */
export function renderReport(head: Capture, diff?: PlanDiff, base?: BaseInfo, baseCapture?: Capture): string {
  const out = [`# Plan: stack ${code(head.stack)}`, ""];
  if (diff && base) {
    if (diff.newStack) out.push(`**New stack**: ${code(head.stack)} does not exist at ${code(base.ref)} (${code(base.commit)}); everything is added.`, "");
    else out.push(`Compared with ${code(base.ref)} (${code(base.commit)}).`, "");
    out.push("## Alias changes", "");
    if (diff.aliases.length === 0) out.push("No alias changed.", "");
    else out.push(...diff.aliases.map((a) => `- ${code(aliasChangeLine(a.alias, a.before, a.after))}`), "");
    out.push(...replacementSection(diff), ...changesSection(diff));
    out.push("<details><summary>Desired state</summary>", "", ...renderState(head), "</details>", "");
  } else {
    out.push("Desired state, rendered offline (no base to compare with).", "", ...renderState(head));
  }
  const secrets = [...head.placeholders, ...(baseCapture?.placeholders ?? [])];
  return scrub(
    `${out
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trimEnd()}\n`,
    secrets,
  );
}
