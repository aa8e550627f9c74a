// npm run soak -- [--seconds N] ...: the router under load while backends flap and its config is
// rewritten; one summary; exit 1 when a must-be-0 figure is not 0.
import { parseSoakArgs, usage } from "./soak/args.js";
import { killAll } from "./soak/children.js";
import { runSoak } from "./soak/run.js";
import { formatSummary, passed } from "./soak/summary.js";

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
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      killAll();
      process.exit(130);
    });
  }
  const summary = await runSoak(opts, (l) => process.stderr.write(l + "\n"));
  process.stdout.write((opts.json ? JSON.stringify(summary, null, 2) : formatSummary(summary)) + "\n");
  return passed(summary) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`soak failed: ${(err as Error).message}\n`);
    killAll();
    process.exit(1);
  },
);
