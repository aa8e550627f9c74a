// Config problems read like advice: where, what is wrong, and the exact command that fixes it.
import * as pulumi from "@pulumi/pulumi";
import { shellWord } from "../specs/shell.js";

export interface ConfigProblem {
  /** Path under the project namespace, as `pulumi config set --path` takes it. */
  path: string;
  message: string;
  /** The command that fixes it (set, set --secret, or rm). */
  fix: string;
}

type Segment = string | number;

/** Renders `["router","aliases","coder","targets",0,"backend"]` as `router.aliases.coder.targets[0].backend`. */
export function configPath(segments: readonly PropertyKey[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else {
      const key = String(s);
      // Pulumi's property paths split on '.', so such keys need the bracket form.
      if (/[.[\]"]/.test(key)) out += `[${JSON.stringify(key)}]`;
      else out += out ? `.${key}` : key;
    }
  }
  return out;
}

function setFix(path: string, value: string, secret = false): string {
  return `pulumi config set ${secret ? "--secret " : ""}--path '${path}' ${shellWord(value)}`;
}

export function rmFix(path: string): string {
  return `pulumi config rm --path '${path}'`;
}

export function problem(segments: readonly Segment[], message: string, fixValue: string, opts: { secret?: boolean } = {}): ConfigProblem {
  const path = configPath(segments);
  return { path, message, fix: setFix(path, fixValue, opts.secret) };
}

/** One line per problem, sorted by path so the report is stable. */
function formatProblems(problems: readonly ConfigProblem[]): string {
  const lines = [...problems]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.message < b.message ? -1 : 1))
    .map((p) => `  - ${p.path}: ${p.message}. Fix: ${p.fix}`);
  const n = problems.length;
  return [`The stack config has ${n} problem${n === 1 ? "" : "s"}:`, ...lines].join("\n");
}

/** pulumi.RunError prints its message without a stack trace, which is what a config error deserves. */
export function configError(problems: readonly ConfigProblem[]): pulumi.RunError {
  return new pulumi.RunError(formatProblems(problems));
}
