// Reads a router config file: JSON text → validated config, or every problem with its path.
import { readFile } from "node:fs/promises";
import { parseRouterConfig, type ConfigProblem, type ParseResult } from "./schema.js";

/** Parses config text; a JSON syntax error is one problem at the root. */
export function parseConfigText(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [{ path: "(root)", message: `not valid JSON: ${(err as Error).message}` }] };
  }
  return parseRouterConfig(value);
}

export async function loadConfigFile(file: string): Promise<ParseResult> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    return { ok: false, problems: [{ path: "(file)", message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? "error"}` }] };
  }
  return parseConfigText(text);
}

export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `  ${p.path}: ${p.message}`).join("\n");
}
