// The Go programs the lab builds from the module proxy, each from a wrapper module (see
// scripts/lab/toolchain.ts): what it requires, how each local replace of the required module is
// pointed at something the proxy serves, which files the wrapper adds, and how a built binary shows
// it is the wanted version.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { start, waitForLine } from "../lib/child.js";

export interface GoTool {
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
  pin: (path: string) => string;
  /** Files the wrapper holds besides go.mod, given the module's directory in the module cache. */
  files?: (moduleDir: string) => Record<string, string>;
  /** Resolves to what shows the binary is the wanted build, or undefined when it is not. */
  check: (bin: string) => Promise<string | undefined>;
}

const K8S = "v1.37.2";
const ETCD = "v3.7.3";
/**
 * Every v3.7 release (v3.7.11 to v3.7.13 are served) replaces github.com/abbot/go-http-auth with a
 * pseudo-version of containous' fork the proxy refuses (403), as it refuses six of the DNS-provider
 * SDKs lego pulls in; v3.6.12 is the newest Traefik v3 whose whole build graph is served.
 */
const TRAEFIK = "v3.6.12";
const PULUMI_K8S = "v4.25.0";
const PULUMI_K8S_PROVIDER = "github.com/pulumi/pulumi-kubernetes/provider/v4";
/** The proxy lists no version of the provider module: this is the pseudo-version of tag v4.25.0's commit. */
const PULUMI_K8S_PSEUDO = "v4.0.0-20260115033456-f47bc2d6f199";

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

/** In build order: the quick ones first, so a failure late leaves the others built. */
export const GO_TOOLS: readonly GoTool[] = [
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
    // Its go.mod replaces nothing with a local directory; the module zip's webui/static already holds
    // what the web UI's go:embed needs.
    pin: (path) => {
      throw new Error(`no replacement for the local replace of ${path}`);
    },
    check: versionCheck(["version"], /Version:\s+v3\.6\.12\b/),
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
];
