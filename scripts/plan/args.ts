// Command-line arguments of `npm run plan`. Pure: argv in, options or a usage problem out.
import { parseArgs } from "node:util";

export interface PlanOptions {
  stack: string;
  base?: string;
  out?: string;
  changedOnly: boolean;
  failOnReplace: boolean;
}

export type ParsedArgs = { kind: "help" } | { kind: "run"; options: PlanOptions } | { kind: "error"; message: string };

export const usage = `Usage: npm run plan -- --stack <name> [--base <git ref>] [--out <file>] [--changed-only] [--fail-on-replace]

Renders a stack's desired state offline (the program under mocks: no Pulumi CLI, no credentials,
no network) as Markdown. With --base, compares it with the same stack at that git ref.

  --stack <name>       stack to render (stacks/Pulumi.<name>.yaml)
  --base <git ref>     compare with the stack at this ref (alias changes, replacements first)
  --out <file>         write the report to a file instead of stdout
  --changed-only       with --base: write nothing when the stack's desired state did not change
  --fail-on-replace    exit 3 when a container or volume would be replaced
  --help               this text

Exit codes: 0 rendered; 2 error (unknown stack, bad ref, invalid config); 3 replacement (with --fail-on-replace).
`;

export function parsePlanArgs(argv: readonly string[]): ParsedArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        stack: { type: "string" },
        base: { type: "string" },
        out: { type: "string" },
        "changed-only": { type: "boolean", default: false },
        "fail-on-replace": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (err) {
    return { kind: "error", message: err instanceof Error ? err.message : String(err) };
  }
  if (values.help) return { kind: "help" };
  if (!values.stack) return { kind: "error", message: "--stack <name> is required" };
  if (!/^[A-Za-z0-9_.-]+$/.test(values.stack)) return { kind: "error", message: `"${values.stack}" is not a stack name` };
  if (values.base !== undefined && (values.base === "" || values.base.startsWith("-"))) return { kind: "error", message: "--base needs a git ref" };
  return {
    kind: "run",
    options: {
      stack: values.stack,
      ...(values.base !== undefined ? { base: values.base } : {}),
      ...(values.out !== undefined ? { out: values.out } : {}),
      changedOnly: values["changed-only"],
      failOnReplace: values["fail-on-replace"],
    },
  };
}
