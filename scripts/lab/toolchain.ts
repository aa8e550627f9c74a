// The programs the lab runs, built from the Go module proxy into a cache outside the repository
// (AISTACK_LAB_CACHE, else <XDG cache>/aistack/lab) and reused across runs: kube-apiserver, etcd,
// Traefik and the Kubernetes resource plugin. The Pulumi CLI and Ollama come from the e2e cache
// (scripts/e2e-infra/toolchain.ts, scripts/e2e/ollama.ts). The Node.js language host and the docker
// and command plugins are not served as buildable modules: they must be on PATH.
//
// None of these builds with `go install module@version`: Kubernetes, etcd and pulumi-kubernetes have
// `replace` directives to directories of their own repositories, which a module zip leaves out
// (Kubernetes' 33 staging modules, etcd's api/client/pkg, pulumi-kubernetes' ../sdk), and Traefik
// has replaces to forks and an exclude, which `go install` refuses. So each is built from a wrapper
// module written into the cache: it requires the module, points every local replace at the same module
// as the proxy serves it, and repeats the remote replaces and the excludes (scripts/lab/go-tools.ts).
//
// A plugin found on PATH is used whatever version the SDK asks for (pulumi's GetPluginPath prefers
// an ambient plugin unless PULUMI_IGNORE_AMBIENT_PLUGINS is set; it warns when the version differs),
// so putting `pluginDirs` first on PATH makes a `pulumi` command use these builds.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { runBounded } from "../lib/child.js";
import { ensurePulumiCli, onPath } from "../e2e-infra/toolchain.js";
import { e2eCacheDir, ensureOllama } from "../e2e/ollama.js";
import { GO_TOOLS, type GoTool } from "./go-tools.js";

export interface LabTools {
  pulumi: string;
  kubeApiserver: string;
  etcd: string;
  traefik: string;
  /** Directories holding the Pulumi plugins the lab uses; put them first on PATH. */
  pluginDirs: string[];
  ollama: string;
}

/** The plugins the proxy does not serve as buildable modules. */
const PATH_PLUGINS = ["pulumi-language-nodejs", "pulumi-resource-docker", "pulumi-resource-command"] as const;

/** What `go mod edit -json` prints of a go.mod (the parts a wrapper needs). */
export interface GoModJson {
  Go?: string;
  Replace?: { Old: { Path: string; Version?: string }; New: { Path: string; Version?: string } }[] | null;
  Exclude?: { Path: string; Version: string }[] | null;
}

export function labCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AISTACK_LAB_CACHE) return env.AISTACK_LAB_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "aistack", "lab");
}

const binaryOf = (tool: GoTool, cache: string): string => join(cache, `${tool.name}-${tool.version}`, "bin", tool.name);

/** What the lab's tools cannot be had without (one line), or undefined. */
export function missingLabPrerequisite(cache = labCacheDir()): string | undefined {
  const missing = PATH_PLUGINS.filter((p) => !onPath(p));
  if (missing.length) return `needs ${missing.join(", ")} on PATH (Pulumi plugins the Go module proxy does not serve)`;
  if (onPath("go")) return undefined;
  const unbuilt = GO_TOOLS.filter((t) => !existsSync(binaryOf(t, cache))).map((t) => t.name);
  if (!onPath("pulumi")) unbuilt.unshift("pulumi");
  if (unbuilt.length) return `needs Go to build ${unbuilt.join(", ")} (not in ${cache} yet)`;
  return undefined;
}

/** The wrapper's go.mod: requires the module; every local replace pinned, remote ones and excludes kept. */
export function wrapperGoMod(name: string, module: string, version: string, mod: GoModJson, pin: (path: string) => string): string {
  const replaces = (mod.Replace ?? []).map(({ Old, New }) => {
    const old = Old.Version ? `${Old.Path} ${Old.Version}` : Old.Path;
    return `\t${old} => ${New.Version ? `${New.Path} ${New.Version}` : pin(Old.Path)}`;
  });
  const excludes = (mod.Exclude ?? []).map((e) => `\t${e.Path} ${e.Version}`);
  return [
    `module aistack.local/${name}`,
    "",
    `go ${mod.Go ?? "1.24"}`,
    "",
    `require ${module} ${version}`,
    ...(replaces.length ? ["", `replace (\n${replaces.join("\n")}\n)`] : []),
    ...(excludes.length ? ["", `exclude (\n${excludes.join("\n")}\n)`] : []),
    "",
  ].join("\n");
}

function say(msg: string): void {
  process.stderr.write(`[lab] ${msg}\n`);
}

/** The last non-empty line of a log, for a one-line error. */
function lastLine(logFile: string): string {
  const lines = existsSync(logFile) ? readFileSync(logFile, "utf8").trim().split("\n") : [];
  return lines.at(-1)?.trim() ?? "";
}

/** The cached binary when it passes its check, else one built now (see the header). */
async function ensureGoTool(tool: GoTool, cache: string): Promise<string> {
  const bin = binaryOf(tool, cache);
  const dir = dirname(dirname(bin));
  const cached = existsSync(bin) ? await tool.check(bin) : undefined;
  if (cached) {
    say(`using cached ${tool.name} at ${bin} (${cached})`);
    return bin;
  }
  if (!onPath("go")) throw new Error(`${tool.name} ${tool.version} is not in ${dir} and building it needs Go on PATH`);
  mkdirSync(dirname(bin), { recursive: true });
  const env = {
    ...process.env,
    GOPATH: join(cache, "go", "path"),
    GOMODCACHE: join(cache, "go", "mod"),
    GOCACHE: join(cache, "go", "cache"),
    GOFLAGS: "-buildvcs=false",
    GOTOOLCHAIN: "local",
    ...(tool.cgo === false ? { CGO_ENABLED: "0" } : {}),
  };
  const logFile = join(dir, "build.log");
  const limitMin = Number(process.env.AISTACK_LAB_BUILD_TIMEOUT_MIN ?? "90");
  const t0 = Date.now();
  say(`building ${tool.name} ${tool.version} from the Go module proxy (log: ${logFile}); this takes a while`);
  const go = async (what: string, args: string[]): Promise<void> => {
    const r = await runBounded("go", args, { cwd: dir, env, timeoutMs: limitMin * 60_000, logFile });
    if (r.timedOut) throw new Error(`building ${tool.name}: \`${what}\` took longer than ${limitMin} min; see ${logFile}`);
    if (r.code !== 0) throw new Error(`building ${tool.name}: \`${what}\` failed (${lastLine(logFile)}); see ${logFile}`);
  };
  const at = `${tool.module}@${tool.moduleVersion}`;
  let info: { GoMod?: string; Dir?: string };
  try {
    info = JSON.parse(execFileSync("go", ["mod", "download", "-json", at], { cwd: dir, env, encoding: "utf8", timeout: limitMin * 60_000 })) as typeof info;
  } catch (err) {
    const out = (err as { stdout?: string }).stdout ?? String(err);
    throw new Error(`building ${tool.name}: go mod download ${at} failed: ${out.trim().split("\n").slice(-3).join(" ")}`);
  }
  if (!info.GoMod || !info.Dir) throw new Error(`building ${tool.name}: go mod download ${at} gave no go.mod or directory`);
  const mod = JSON.parse(execFileSync("go", ["mod", "edit", "-json", info.GoMod], { env, encoding: "utf8" })) as GoModJson;
  writeFileSync(join(dir, "go.mod"), wrapperGoMod(tool.name, tool.module, tool.moduleVersion, mod, tool.pin));
  for (const [rel, text] of Object.entries(tool.files?.(info.Dir) ?? {})) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  await go("go get", ["get", `${tool.get}@${tool.moduleVersion}`]);
  await go("go build", ["build", "-o", bin, ...(tool.ldflags ? ["-ldflags", tool.ldflags] : []), tool.build]);
  const seen = await tool.check(bin);
  if (!seen) throw new Error(`built ${bin}, but it does not answer as ${tool.name} ${tool.version}; see ${logFile}`);
  say(`built ${tool.name} ${tool.version} in ${Math.round((Date.now() - t0) / 60_000)} min (${seen})`);
  return bin;
}

/** Everything the lab runs, built first where the caches lack it (one build at a time: they are long). */
export async function ensureLabTools(cache = labCacheDir(), e2eCache = e2eCacheDir()): Promise<LabTools> {
  const missing = missingLabPrerequisite(cache);
  if (missing) throw new Error(`the lab ${missing}`);
  const pulumi = await ensurePulumiCli(e2eCache);
  const built = new Map<string, string>();
  for (const tool of GO_TOOLS) built.set(tool.name, await ensureGoTool(tool, cache));
  const get = (name: string): string => built.get(name) ?? "";
  const ollama = (await ensureOllama(e2eCache)).binary;
  const pluginDirs = [get("pulumi-resource-kubernetes"), ...PATH_PLUGINS.map((p) => onPath(p) ?? "")].map((f) => dirname(f));
  return { pulumi, kubeApiserver: get("kube-apiserver"), etcd: get("etcd"), traefik: get("traefik"), pluginDirs: [...new Set(pluginDirs)], ollama };
}

/** PATH for a `pulumi` command in the lab: the CLI's directory and the plugin directories first. */
export function labPath(tools: LabTools, path = process.env.PATH ?? ""): string {
  const first = [...new Set([dirname(tools.pulumi), ...tools.pluginDirs])];
  return [...first, ...path.split(delimiter).filter((d) => d && !first.includes(d))].join(delimiter);
}
