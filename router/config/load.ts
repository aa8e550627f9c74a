// Reads a router config file: JSON text → validated config, or every problem with its path.
import { constants, type Stats } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
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

/** Larger than any real table; a bigger file is a mistake (a log, a disk image), not a config. */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** What kind of file a non-regular path is, for the message. */
function kindOf(st: Stats): string {
  if (st.isFIFO()) return "a FIFO";
  if (st.isDirectory()) return "a directory";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  return "not a regular file";
}

/**
 * Reads the file without ever blocking: it is opened non-blocking (opening a FIFO then returns at
 * once) and checked on the open handle to be a regular file of a sane size before it is read, so a
 * path that is a FIFO for a moment cannot wedge the reloads after it (test/router/config/file-kinds.test.ts).
 */
async function readConfig(file: string): Promise<string | ConfigProblem> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = await fh.stat();
    if (!st.isFile()) return { path: "(file)", message: `${file} is ${kindOf(st)}, not a regular file` };
    if (st.size > MAX_CONFIG_BYTES) return { path: "(file)", message: `${file} is ${st.size} bytes, more than the ${MAX_CONFIG_BYTES} a config may have` };
    return await fh.readFile("utf8");
  } catch (err) {
    return { path: "(file)", message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? "error"}` };
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

export async function loadConfigFile(file: string): Promise<ParseResult> {
  const text = await readConfig(file);
  return typeof text === "string" ? parseConfigText(text) : { ok: false, problems: [text] };
}

export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `  ${p.path}: ${p.message}`).join("\n");
}
