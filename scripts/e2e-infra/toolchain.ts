// What `npm run e2e:infra` needs from the machine: the Pulumi CLI, the Node.js language host, the
// docker and command resource plugins, and a Docker engine that answers.
//
// The CLI can be built here from the Go module proxy (its module, github.com/pulumi/pulumi/pkg/v3,
// carries replace directives, so `go install pkg@version` refuses it: a wrapper module written into
// the cache requires it and repeats its non-local replaces). The language host and the providers are
// not served by the proxy as buildable modules, so they must already be on PATH; without them the suite
// is skipped with one line saying what is missing.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { runBounded } from "../lib/child.js";

/** The CLI built when none is on PATH. */
const PULUMI_CLI_VERSION = "v3.259.0";
const PULUMI_PKG = "github.com/pulumi/pulumi/pkg/v3";
const PULUMI_SDK = "github.com/pulumi/pulumi/sdk/v3";

const REQUIRED_PLUGINS = ["pulumi-language-nodejs", "pulumi-resource-docker", "pulumi-resource-command"] as const;

export function say(msg: string): void {
  process.stderr.write(`[e2e:infra] ${msg}\n`);
}

/** The first executable named `name` on PATH, or undefined. */
export function onPath(name: string, path = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      execFileSync("test", ["-x", file]);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

function dockerAnswers(): boolean {
  try {
    execFileSync("docker", ["version", "--format", "{{.Server.Version}}"], { stdio: ["ignore", "pipe", "ignore"], timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

/** Why the suite cannot run here (one line), or undefined when everything but perhaps the CLI is present. */
export function missingPrerequisite(): string | undefined {
  const missing = REQUIRED_PLUGINS.filter((p) => !onPath(p));
  if (missing.length) return `needs ${missing.join(", ")} on PATH (Pulumi plugins the Go module proxy does not serve)`;
  if (!onPath("docker")) return "needs the docker CLI";
  if (!dockerAnswers()) return "needs a Docker engine that answers (`docker version` failed)";
  if (!onPath("pulumi") && !onPath("go")) return "needs the pulumi CLI on PATH, or Go to build it";
  return undefined;
}

/** Non-local `replace` directives of a go.mod (a local one points into the module's own repository). */
export function remoteReplaces(goMod: string): string[] {
  const out: string[] = [];
  const lines = goMod.split("\n");
  let inBlock = false;
  for (const raw of lines) {
    const line = raw.replace(/\/\/.*$/, "").trim();
    if (line === "replace (") {
      inBlock = true;
      continue;
    }
    if (inBlock && line === ")") {
      inBlock = false;
      continue;
    }
    const body = inBlock ? line : line.startsWith("replace ") ? line.slice("replace ".length).trim() : "";
    if (!body.includes("=>")) continue;
    const target = (body.split("=>")[1] ?? "").trim();
    if (target.startsWith("./") || target.startsWith("../") || target.startsWith("/")) continue;
    out.push(body);
  }
  return out;
}

/** `pulumi` from PATH, else one built from the Go module proxy into `<cache>/pulumi-<v>/bin`. */
export async function ensurePulumiCli(cache: string): Promise<string> {
  const found = onPath("pulumi");
  if (found) return found;
  const dir = join(cache, `pulumi-${PULUMI_CLI_VERSION}`);
  const bin = join(dir, "bin", "pulumi");
  if (existsSync(bin)) return bin;
  mkdirSync(join(dir, "bin"), { recursive: true });
  const goEnv = {
    ...process.env,
    GOPATH: join(cache, "go", "path"),
    GOMODCACHE: join(cache, "go", "mod"),
    GOCACHE: join(cache, "go", "cache"),
    GOFLAGS: "-buildvcs=false",
    GOTOOLCHAIN: "local",
  };
  const logFile = join(dir, "build.log");
  say(`building the Pulumi CLI ${PULUMI_CLI_VERSION} from its Go module (log: ${logFile}); this takes a while`);
  const info = JSON.parse(
    execFileSync("go", ["mod", "download", "-json", `${PULUMI_PKG}@${PULUMI_CLI_VERSION}`], { cwd: dir, env: goEnv, encoding: "utf8", timeout: 15 * 60_000 }),
  ) as { GoMod?: string };
  if (!info.GoMod) throw new Error(`go mod download gave no go.mod for ${PULUMI_PKG}`);
  const replaces = remoteReplaces(readFileSync(info.GoMod, "utf8"));
  writeFileSync(
    join(dir, "go.mod"),
    [
      "module aistack.local/pulumi-cli",
      "",
      "go 1.24",
      "",
      `require (\n\t${PULUMI_PKG} ${PULUMI_CLI_VERSION}\n\t${PULUMI_SDK} ${PULUMI_CLI_VERSION}\n)`,
      "",
      ...(replaces.length ? [`replace (\n${replaces.map((r) => `\t${r}`).join("\n")}\n)`] : []),
      "",
    ].join("\n"),
  );
  const get = await runBounded("go", ["get", `${PULUMI_PKG}/cmd/pulumi@${PULUMI_CLI_VERSION}`], { cwd: dir, env: goEnv, timeoutMs: 30 * 60_000, logFile });
  if (get.code !== 0) throw new Error(`go get ${PULUMI_PKG}/cmd/pulumi failed; see ${logFile}`);
  const build = await runBounded("go", ["build", "-o", bin, `${PULUMI_PKG}/cmd/pulumi`], { cwd: dir, env: goEnv, timeoutMs: 60 * 60_000, logFile });
  if (build.code !== 0) throw new Error(`go build ${PULUMI_PKG}/cmd/pulumi failed; see ${logFile}`);
  return bin;
}
