// The programs the lab runs, built from the Go module proxy into a cache outside the repository
// (AISTACK_LAB_CACHE, else <XDG cache>/aistack/lab) and reused across runs: kube-apiserver, etcd,
// Traefik and the Kubernetes resource plugin. The Pulumi CLI and Ollama come from the e2e cache
// (scripts/e2e-infra/toolchain.ts, scripts/e2e/ollama.ts). The Node.js language host and the docker
// and command plugins are not served as buildable modules: they must be on PATH.
//
// None of these modules builds with `go install module@version`: each has `replace` directives to
// directories of its own repository, which a module zip leaves out (Kubernetes' 33 staging modules,
// etcd's api/client/pkg, Traefik's dynamic/ext, pulumi-kubernetes' ../sdk). So each is built from a
// wrapper module written into the cache: it requires the module and points every such replace at the
// same module as the proxy serves it (or, for Traefik's extension point, at a placeholder).
//
// A plugin found on PATH is used whatever version the SDK asks for (pulumi's GetPluginPath prefers
// an ambient plugin unless PULUMI_IGNORE_AMBIENT_PLUGINS is set), so putting `pluginDirs` first on
// PATH makes a `pulumi` command use these builds.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { runBounded, start, waitForLine } from "../lib/child.js";
import { ensurePulumiCli, onPath } from "../e2e-infra/toolchain.js";
import { e2eCacheDir, ensureOllama } from "../e2e/ollama.js";

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

interface GoTool {
  /** The binary's name; the cache keeps it in `<name>-<version>/bin`. */
  name: string;
  version: string;
  module: string;
  moduleVersion: string;
  /** The package `go get` resolves (its imports' modules join the wrapper's requirements). */
  get: string;
  /** What `go build` builds: `get`, or "." for a main the wrapper writes. */
  build: string;
  ldflags: string;
  cgo?: false;
  /** Where a replace to a local directory points in the wrapper (module path in, target out). */
  pin(path: string): string;
  /** Files the wrapper holds besides go.mod, given the module's directory in the module cache. */
  files?(moduleDir: string): Record<string, string>;
  /** Resolves to what shows the binary is the wanted build, or undefined when it is not. */
  check(bin: string): Promise<string | undefined>;
}

const K8S = "v1.37.2";
const ETCD = "v3.7.3";
const TRAEFIK = "v3.7.13";
const PULUMI_K8S = "v4.25.0";
const PULUMI_K8S_PROVIDER = "github.com/pulumi/pulumi-kubernetes/provider/v4";
/** The proxy lists no version of the provider module: this is the pseudo-version of tag v4.25.0's commit. */
const PULUMI_K8S_PSEUDO = "v4.0.0-20260115033456-f47bc2d6f199";
const TRAEFIK_EXT = "github.com/traefik/traefik/dynamic/ext";

/** The output of `bin ...args` when it matches `expect`. */
function versionCheck(args: string[], expect: RegExp): (bin: string) => Promise<string | undefined> {
  return (bin) => {
    try {
      const out = execFileSync(bin, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
      return Promise.resolve(expect.exec(out)?.[0]);
    } catch {
      return Promise.resolve(undefined);
    }
  };
}

/** A Pulumi plugin has no version flag: started bare it serves gRPC and prints its port first. */
async function pluginHandshake(bin: string): Promise<string | undefined> {
  const child = start(bin, []);
  try {
    const port = await waitForLine(child, (l) => (/^\d+$/.test(l.trim()) ? l.trim() : undefined), 60_000, bin);
    return `serves on port ${port}`;
  } catch {
    return undefined;
  } finally {
    await child.stop();
  }
}

const samePathAt = (version: string) => (path: string) => `${path} ${version}`;

const GO_TOOLS: readonly GoTool[] = [
  {
    name: "kube-apiserver",
    version: K8S,
    module: "k8s.io/kubernetes",
    moduleVersion: K8S,
    get: "k8s.io/kubernetes/cmd/kube-apiserver",
    build: "k8s.io/kubernetes/cmd/kube-apiserver",
    // Release builds stamp these (hack/lib/version.sh); unstamped, --version says v0.0.0-master.
    ldflags: ["gitVersion=v1.37.2", "gitMajor=1", "gitMinor=37", "gitTreeState=clean"].map((v) => `-X k8s.io/component-base/version.${v}`).join(" "),
    // The staging modules (k8s.io/api, k8s.io/apiserver, ...) are served as v0.<minor>.<patch>.
    pin: samePathAt(K8S.replace(/^v1\./, "v0.")),
    check: versionCheck(["--version"], /Kubernetes v1\.37\.2\b/),
  },
  {
    name: "etcd",
    version: ETCD,
    module: "go.etcd.io/etcd/server/v3",
    moduleVersion: ETCD,
    get: "go.etcd.io/etcd/server/v3/etcdmain",
    build: ".",
    ldflags: "",
    pin: samePathAt(ETCD),
    files: () => ({ "main.go": 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n' }),
    check: versionCheck(["--version"], /etcd Version: 3\.7\.3\b/),
  },
  {
    name: "traefik",
    version: TRAEFIK,
    module: "github.com/traefik/traefik/v3",
    moduleVersion: TRAEFIK,
    get: "github.com/traefik/traefik/v3/cmd/traefik",
    build: "github.com/traefik/traefik/v3/cmd/traefik",
    ldflags: `-X github.com/traefik/traefik/v3/pkg/version.Version=${TRAEFIK}`,
    // dynamic/ext is its own module in Traefik's repository, not served: its extension points are
    // empty structs (the module zip's webui/static already holds what the web UI's embed needs).
    pin: (path) => {
      if (path !== TRAEFIK_EXT) throw new Error(`no placeholder for ${path}`);
      return "./ext";
    },
    files: () => ({
      "ext/go.mod": `module ${TRAEFIK_EXT}\n\ngo 1.24.0\n`,
      "ext/ext.go": "package ext\n\ntype HTTP struct{}\n\ntype Router struct{}\n\ntype RouterIng struct{}\n\nfunc (r RouterIng) ToRouter() Router { return Router{} }\n",
    }),
    check: versionCheck(["version"], /Version:\s+v3\.7\.13\b/),
  },
  {
    name: "pulumi-resource-kubernetes",
    version: PULUMI_K8S,
    module: PULUMI_K8S_PROVIDER,
    moduleVersion: PULUMI_K8S_PSEUDO,
    get: `${PULUMI_K8S_PROVIDER}/pkg/provider`,
    build: ".",
    ldflags: `-X ${PULUMI_K8S_PROVIDER}/pkg/version.Version=${PULUMI_K8S.slice(1)}`,
    cgo: false,
    pin: samePathAt(PULUMI_K8S),
    // What upstream's `go generate` (cmd/pulumi-resource-kubernetes/generate.go) writes next to the
    // main it embeds them into: the schema stamped with the version, the mapping compacted.
    files: (moduleDir) => {
      const cmd = join(moduleDir, "cmd", "pulumi-resource-kubernetes");
      const schema = JSON.parse(readFileSync(join(cmd, "schema.json"), "utf8")) as Record<string, unknown>;
      return {
        "main.go": readFileSync(join(cmd, "main.go"), "utf8"),
        "schema-embed.json": JSON.stringify({ ...schema, version: PULUMI_K8S.slice(1) }),
        "terraform-mapping-embed.json": JSON.stringify(JSON.parse(readFileSync(join(cmd, "terraform-mapping.json"), "utf8"))),
      };
    },
    check: pluginHandshake,
  },
];

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
