// npm run soak -- [--seconds N] ...: the router under load while backends flap and its config is
// rewritten; one summary; exit 1 when a must-be-0 figure is not 0.
import { parseSoakArgs, usage } from "./args.js";
import { runMain } from "../lib/child.js";
import { runSoak } from "./run.js";
import { formatSummary, passed } from "./summary.js";

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseSoakArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}\n`);
    return 2;
  }
  if (opts === "help") {
    process.stdout.write(usage + "\n");
    return 0;
  }
  const summary = await runSoak(opts, (l) => process.stderr.write(l + "\n"));
  process.stdout.write((opts.json ? JSON.stringify(summary, null, 2) : formatSummary(summary)) + "\n");
  return passed(summary) ? 0 : 1;
}

// Every child is ended on exit, failure or Ctrl-C (scripts/lib/child.ts).
runMain(main, (msg) => process.stderr.write(`soak ${msg}\n`));
