// The compiled router is benchmarked the way its container image runs it: the node flags of the
// Dockerfile's ENTRYPOINT (for example a V8 heap setting) are the ones the benchmark passes too, so
// a flag cannot help the numbers without also being what users run.
import { readFileSync } from "node:fs";

/** Node's options between "node" and the entry script in an exec-form ENTRYPOINT; [] when there are none. */
export function entrypointNodeFlags(dockerfile: string, entry = "dist/router/main.js"): string[] {
  const line = dockerfile.split("\n").find((l) => /^\s*ENTRYPOINT\s+\[/.test(l));
  if (line === undefined) return [];
  let argv: unknown;
  try {
    argv = JSON.parse(line.replace(/^\s*ENTRYPOINT\s+/, ""));
  } catch {
    return [];
  }
  if (!Array.isArray(argv) || !argv.every((a): a is string => typeof a === "string")) return [];
  const at = argv.indexOf(entry);
  if (argv[0] !== "node" || at < 1) return [];
  return argv.slice(1, at).filter((a) => a.startsWith("--"));
}

export function imageNodeFlags(dockerfilePath: string): string[] {
  try {
    return entrypointNodeFlags(readFileSync(dockerfilePath, "utf8"));
  } catch {
    return [];
  }
}
