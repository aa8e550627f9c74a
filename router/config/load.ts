// Reads a router config file: JSON text → validated config, or every problem with its path.
import { readFile } from "node:fs/promises";
import { locateJsonSyntaxError } from "./json-syntax.js";
import { parseRouterConfig, type ConfigProblem, type ParseResult } from "./schema.js";

/**
 * Parses config text; a JSON syntax error is one problem at the root, with its line and column only:
 * JSON.parse's message quotes the text around the error, which may be a backend's apiKey.
 */
export function parseConfigText(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const at = locateJsonSyntaxError(text);
    const where = at ? ` at line ${at.line}, column ${at.column}: ${at.problem}` : "";
    return { ok: false, problems: [{ path: "(root)", message: `not valid JSON${where}` }] };
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
