// Turns zod issues into ConfigProblems with a fix command, as awsx's validators do.
import type { z } from "zod";
import { configPath, problem, rmFix, type ConfigProblem } from "./problems.js";

type Issue = z.core.$ZodIssue;

function placeholder(segments: readonly PropertyKey[]): string {
  const last = [...segments].reverse().find((s) => typeof s === "string");
  return `<${typeof last === "string" ? last : "value"}>`;
}

function flatten(issue: Issue): Issue[] {
  if (issue.code === "invalid_union" && issue.errors.length > 0 && issue.message === "Invalid input") {
    // Report the branch that got furthest: the one whose issues have the longest paths.
    const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0] ?? [];
    return best.map((i) => ({ ...i, path: [...issue.path, ...i.path] })).flatMap(flatten);
  }
  return [issue];
}

function depth(issues: readonly Issue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length));
}

/** `prefix` is the top-level config key the issues belong to (they are parsed per key). */
export function zodProblems(issues: readonly Issue[], prefix: readonly PropertyKey[] = []): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues.flatMap(flatten)) {
    const segments = [...prefix, ...issue.path] as (string | number)[];
    // A value under `secrets` must be set with --secret, or the fix itself would leave it in plain text.
    const opts = { secret: segments[0] === "secrets" };
    switch (issue.code) {
      case "unrecognized_keys":
        for (const key of issue.keys) {
          const path = configPath([...segments, key]);
          out.push({ path, message: `unknown key "${key}"`, fix: rmFix(path) });
        }
        break;
      case "invalid_value": {
        const allowed = issue.values.map((v) => JSON.stringify(v)).join(", ");
        out.push(problem(segments, `must be one of ${allowed}`, String(issue.values[0]), opts));
        break;
      }
      case "invalid_type":
        out.push(
          problem(
            segments,
            issue.message.endsWith("received undefined")
              ? `is required (${issue.expected})`
              : `must be ${issue.expected === "object" ? "an object" : `a ${issue.expected}`}`,
            placeholder(segments),
            opts,
          ),
        );
        break;
      default:
        out.push(problem(segments, issue.message, placeholder(segments), opts));
    }
  }
  return out;
}
