// `npm run plan -- --stack <name> [--base <git ref>] [--out <file>] [--changed-only] [--fail-on-replace]`
// Offline desired-state render of a stack, and its diff against a git ref (see docs/plan.md).
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { captureAt, repoRoot, resolveCommit } from "./base.js";
import { captureStack } from "./capture.js";
import { parsePlanArgs, usage, type PlanOptions } from "./args.js";
import { diffCaptures, disruptiveReplacements, hasChanges } from "./diff.js";
import { renderReport } from "./report.js";
import { PlanError, readProjectFile } from "./stackFile.js";

export const exitCodes = { ok: 0, error: 2, replacement: 3 } as const;

function knownStacks(root: string): string[] {
  try {
    const dir = join(root, readProjectFile(root).stackConfigDir);
    return readdirSync(dir)
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter((s): s is string => s !== undefined)
      .sort();
  } catch {
    return [];
  }
}

function emit(report: string, out: string | undefined): void {
  if (!out) {
    process.stdout.write(report);
    return;
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, report);
}

async function run(options: PlanOptions): Promise<number> {
  const root = repoRoot(process.cwd()) ?? process.cwd();
  const stacks = knownStacks(root);
  if (!stacks.includes(options.stack)) {
    throw new PlanError(`unknown stack "${options.stack}"${stacks.length ? `; known stacks: ${stacks.join(", ")}` : ""}`);
  }
  // Resolve the ref before the (slower) render, so a typo fails fast.
  const commit = options.base !== undefined ? resolveCommit(root, options.base) : undefined;
  const head = await captureStack(root, options.stack);
  if (options.base === undefined || commit === undefined) {
    emit(renderReport(head), options.out);
    return exitCodes.ok;
  }
  const base = await captureAt(root, commit, options.stack, options.base);
  const diff = diffCaptures(base, head);
  if (options.changedOnly && !hasChanges(diff)) {
    process.stderr.write(`stack ${options.stack}: no change against ${options.base}; nothing written\n`);
    return exitCodes.ok;
  }
  emit(renderReport(head, diff, { ref: options.base, commit: commit.slice(0, 12) }, base), options.out);
  return options.failOnReplace && disruptiveReplacements(diff).length > 0 ? exitCodes.replacement : exitCodes.ok;
}

async function main(): Promise<number> {
  const parsed = parsePlanArgs(process.argv.slice(2));
  if (parsed.kind === "help") {
    process.stdout.write(usage);
    return exitCodes.ok;
  }
  if (parsed.kind === "error") {
    process.stderr.write(`plan: ${parsed.message}\n\n${usage}`);
    return exitCodes.error;
  }
  try {
    return await run(parsed.options);
  } catch (err) {
    // Config problems and git errors read as advice; never a stack trace.
    process.stderr.write(`plan: ${err instanceof Error ? err.message : String(err)}\n`);
    return exitCodes.error;
  }
}

process.exit(await main());
