// Reads a router config file: JSON text → validated config, or every problem with its path.
import { createHash } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { locateJsonSyntaxError } from "./json-syntax.js";
import { parseRouterConfig, type ConfigProblem, type ParseResult, type RouterConfig } from "./schema.js";

/**
 * Parses config text; a JSON syntax error is one problem at the root, with its line and column only:
 * JSON.parse's message quotes the text around the error, which may be a backend's apiKey.
 */
function parseConfigText(text: string): ParseResult {
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

/**
 * A file that parsed, with the sha256 of its bytes: /status.json reports it, and it is the digest the
 * stack's config delivery is keyed by, so `npm run drift` can tell which file a router serves.
 */
export type FileLoad = { ok: true; config: RouterConfig; sha256: string } | { ok: false; problems: ConfigProblem[] };

export async function loadConfigFile(file: string): Promise<FileLoad> {
  const text = await readConfig(file);
  if (typeof text !== "string") return { ok: false, problems: [text] };
  const r = parseConfigText(text);
  return r.ok ? { ...r, sha256: createHash("sha256").update(text, "utf8").digest("hex") } : r;
}

export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `  ${p.path}: ${p.message}`).join("\n");
}
