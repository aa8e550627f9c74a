// Pure: the nightly check's results (the drift report as JSON, `pulumi preview --refresh
// --expect-no-changes`'s exit code and output) → the one issue that tracks a stack's drift.
import type { Finding } from "./types.js";

export interface CheckResults {
  stack: string;
  /** `npm run drift -- --json`'s output (empty when it failed before printing), and its exit code. */
  driftJson: string;
  driftExit: number;
  preview: string;
  previewExit: number;
  /** Link to the workflow run, when known. */
  runUrl?: string;
}

export interface IssueContent {
  clean: boolean;
  title: string;
  body: string;
}

/** Found again by this marker in the body, so one issue per stack stays open and is edited in place. */
export function issueMarker(stack: string): string {
  return `<!-- aistack-drift:${stack} -->`;
}

interface DriftJson {
  verdict: string;
  hosts: { name: string; docker: string; findings: Omit<Finding, "host">[] }[];
}

function parseDrift(text: string): DriftJson | undefined {
  try {
    const v = JSON.parse(text) as DriftJson;
    return Array.isArray(v.hosts) ? v : undefined;
  } catch {
    return undefined;
  }
}

const previewTailLines = 60;

/** Backticks could close the code span or fence the text sits in. */
const code = (s: string): string => s.replace(/`/g, "'");

function driftSection(r: CheckResults): string[] {
  const report = parseDrift(r.driftJson);
  const lines = ["## `npm run drift`", ""];
  if (!report) return [...lines, `No report (exit ${r.driftExit}): the run's log says why.`, ""];
  lines.push(`Verdict: **${report.verdict}** (exit ${r.driftExit}).`, "");
  for (const h of report.hosts) {
    lines.push(`### ${h.name} (\`${code(h.docker)}\`)${h.findings.length ? "" : ": clean"}`, "");
    for (const f of h.findings) lines.push(`- **${f.kind}** \`${code(f.subject)}\`: stack ${code(f.stack)}; live ${code(f.live)}. Fix: \`${code(f.fix)}\``);
    if (h.findings.length) lines.push("");
  }
  return lines;
}

function previewSection(r: CheckResults): string[] {
  const verdict = r.previewExit === 0 ? "no changes" : `changes or an error (exit ${r.previewExit})`;
  const tail = r.preview.trimEnd().split("\n").slice(-previewTailLines).join("\n");
  const lines = ["## `pulumi preview --refresh --expect-no-changes`", "", `Result: **${verdict}**.`, ""];
  if (r.previewExit !== 0 && tail)
    lines.push("<details><summary>last lines of the preview</summary>", "", "```text", tail.replace(/```/g, "'''"), "```", "", "</details>", "");
  return lines;
}

export function issueContent(r: CheckResults): IssueContent {
  const clean = r.driftExit === 0 && r.previewExit === 0;
  const body = [
    issueMarker(r.stack),
    `The nightly drift check of stack \`${r.stack}\` did not come back clean${r.runUrl ? ` ([run](${r.runUrl}))` : ""}. This issue is updated by each run and closed by the first clean one (docs/drift.md).`,
    "",
    ...driftSection(r),
    ...previewSection(r),
  ].join("\n");
  return { clean, title: `Drift on stack ${r.stack}`, body };
}

export function cleanComment(r: CheckResults): string {
  return `Clean again: \`npm run drift\` and \`pulumi preview --refresh --expect-no-changes\` found nothing on stack \`${r.stack}\`${r.runUrl ? ` ([run](${r.runUrl}))` : ""}.`;
}
