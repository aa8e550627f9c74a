// `npm run drift -- --stack <name> [--json]`: what runs on the hosts against what the stack says
// (docs/drift.md). Read-only.
import { homedir } from "node:os";
import { repoRoot } from "../plan/base.js";
import { readProjectFile } from "../plan/stackFile.js";
import { parseDriftArgs, usage, type DriftOptions } from "./args.js";
import { compare } from "./compare.js";
import { desiredState } from "./desired.js";
import { readLive } from "./live.js";
import { exitCode, exitCodes, renderJson, renderText, scrub } from "./report.js";
import { loadStack, secretTexts } from "./stackConfig.js";

async function run(options: DriftOptions): Promise<number> {
  const root = repoRoot(process.cwd()) ?? process.cwd();
  const project = readProjectFile(root).name;
  const cfg = await loadStack(root, project, options.stack);
  // URNs name the stack without its organization (`org/home` → `home`).
  const stack = options.stack.split("/").pop() ?? options.stack;
  const desired = desiredState(cfg, { project, stack, homeDir: homedir() });
  const findings = compare(desired, await readLive(desired));
  const text = options.json ? renderJson(desired, findings) : renderText(desired, findings);
  process.stdout.write(scrub(text, secretTexts(cfg)));
  return exitCode(findings);
}

async function main(): Promise<number> {
  const parsed = parseDriftArgs(process.argv.slice(2));
  if (parsed.kind === "help") {
    process.stdout.write(usage);
    return exitCodes.clean;
  }
  if (parsed.kind === "error") {
    process.stderr.write(`drift: ${parsed.message}\n\n${usage}`);
    return exitCodes.unreadable;
  }
  try {
    return await run(parsed.options);
  } catch (err) {
    process.stderr.write(`drift: ${err instanceof Error ? err.message : String(err)}\n`);
    return exitCodes.unreadable;
  }
}

process.exit(await main());
