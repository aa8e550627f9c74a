// Images the real-engine suites run (e2e:infra, e2e:lab), made without any container registry:
// - a Debian base: `debootstrap --variant=minbase` from the Debian mirror apt is configured with (read
//   from /etc/apt/sources.list*, at run time), cached as a tarball, `docker import`ed;
// - an Ollama image: that base plus the Ollama binary the e2e suite builds from its Go module;
// - a Node base for router/Dockerfile's NODE_IMAGE: that base plus this machine's node and npm, and the
//   `node` user the router image runs as.
// The router image itself is built by the Pulumi program under test. Every function takes the Docker
// engine to use (`DockerTarget`: the environment the Docker CLI runs with) and a logger.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runBounded } from "./child.js";

export interface DockerTarget {
  /** The Docker CLI's environment (DOCKER_HOST picks the engine). */
  env: NodeJS.ProcessEnv;
  say: (msg: string) => void;
}

export interface AptSource {
  uri: string;
  suite: string;
}

/** The first plain Debian source of apt's config (deb822 `.sources` or one-line `.list`), not -security/-updates. */
export function debianSource(files: { name: string; text: string }[]): AptSource | undefined {
  for (const f of files) {
    if (f.name.endsWith(".sources")) {
      for (const stanza of f.text.split(/\n\s*\n/)) {
        const field = (k: string): string[] => (new RegExp(`^${k}:\\s*(.+)$`, "mi").exec(stanza)?.[1] ?? "").split(/\s+/).filter(Boolean);
        if (!field("Types").includes("deb")) continue;
        const uri = field("URIs")[0];
        const suite = field("Suites").find((s) => !s.includes("-"));
        if (uri && suite) return { uri, suite };
      }
    } else if (f.name.endsWith(".list") || f.name === "sources.list") {
      for (const line of f.text.split("\n")) {
        const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line.trim());
        if (m?.[1] && m[2] && !m[2].includes("-")) return { uri: m[1], suite: m[2] };
      }
    }
  }
  return undefined;
}

function aptSourceFiles(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  if (existsSync("/etc/apt/sources.list")) out.push({ name: "sources.list", text: readFileSync("/etc/apt/sources.list", "utf8") });
  const dir = "/etc/apt/sources.list.d";
  if (existsSync(dir)) for (const name of readdirSync(dir).sort()) out.push({ name, text: readFileSync(join(dir, name), "utf8") });
  return out;
}

export function docker(t: DockerTarget, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): string {
  return execFileSync("docker", args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...t.env, ...opts.env },
    timeout: 20 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
}

export function imageExists(t: DockerTarget, tag: string): boolean {
  try {
    docker(t, ["image", "inspect", tag]);
    return true;
  } catch {
    return false;
  }
}

/** A cached minbase root filesystem tarball for apt's own Debian suite. */
async function ensureRootfs(cache: string, say: (msg: string) => void): Promise<{ tar: string; suite: string }> {
  const source = debianSource(aptSourceFiles());
  if (!source) throw new Error("no Debian source in /etc/apt/sources.list*: debootstrap needs a mirror");
  const tar = join(cache, `rootfs-${source.suite}-minbase.tar`);
  if (existsSync(tar)) return { tar, suite: source.suite };
  if (!existsSync("/usr/sbin/debootstrap")) {
    say("installing debootstrap from Debian");
    const r = await runBounded("apt-get", ["install", "-y", "-q", "debootstrap"], {
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      timeoutMs: 10 * 60_000,
      logFile: join(cache, "apt.log"),
    });
    if (r.code !== 0) throw new Error(`apt-get install debootstrap failed; see ${join(cache, "apt.log")}`);
  }
  const root = mkdtempSync(join(tmpdir(), "aistack-rootfs-"));
  const logFile = join(cache, "debootstrap.log");
  say(`debootstrap --variant=minbase ${source.suite} (log: ${logFile})`);
  try {
    const r = await runBounded("debootstrap", ["--variant=minbase", source.suite, root, source.uri], { timeoutMs: 30 * 60_000, logFile });
    if (r.code !== 0) throw new Error(`debootstrap failed; see ${logFile}`);
    execFileSync("tar", ["-C", root, "-cf", `${tar}.part`, "."]);
    execFileSync("mv", [`${tar}.part`, tar]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return { tar, suite: source.suite };
}

/** Builds `tag` from a Dockerfile and files in a temp context (the classic builder: no buildx needed). */
export function buildImage(t: DockerTarget, tag: string, dockerfile: string, files: Record<string, string>): void {
  const ctx = mkdtempSync(join(tmpdir(), "aistack-image-"));
  try {
    writeFileSync(join(ctx, "Dockerfile"), dockerfile);
    for (const [name, from] of Object.entries(files)) cpSync(from, join(ctx, name), { recursive: true, dereference: true });
    docker(t, ["build", "-q", "-t", tag, ctx], { env: { DOCKER_BUILDKIT: "0" } });
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}

export interface SuiteImages {
  ollama: string;
  nodeBase: string;
}

/** The imported minbase image, `aistack-e2e/debian:<suite>`. */
export async function ensureBaseImage(t: DockerTarget, cache: string): Promise<string> {
  mkdirSync(cache, { recursive: true });
  const { tar, suite } = await ensureRootfs(cache, t.say);
  const base = `aistack-e2e/debian:${suite}`;
  if (!imageExists(t, base)) {
    t.say(`docker import ${tar} ${base}`);
    docker(t, ["import", tar, base]);
  }
  return base;
}

/** This machine's CA bundle: npm in the router build must trust what npm on this machine trusts. */
const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/**
 * The base plus this machine's node, npm, CA bundle (npm and node are pointed at it, as this machine's
 * npm is where a proxy re-signs TLS) and a `node` user: router/Dockerfile's NODE_IMAGE. The tag carries
 * a digest of what goes in, so a change rebuilds it.
 */
function ensureNodeBase(t: DockerTarget, base: string): string {
  const { dockerfile, files, digest } = nodeBaseRecipe(base);
  const nodeBase = `aistack-e2e/node:${process.versions.node}-${digest}`;
  if (!imageExists(t, nodeBase)) {
    t.say(`building ${nodeBase} (this machine's node, npm and CA bundle on ${base})`);
    buildImage(t, nodeBase, dockerfile, files);
  }
  return nodeBase;
}

/** The Dockerfile and files of the Node base, and a digest of what goes in. */
export function nodeBaseRecipe(base: string, extraLines: string[] = []): { dockerfile: string; files: Record<string, string>; digest: string } {
  const node = realpathSync(process.execPath);
  const npmDir = join(dirname(dirname(node)), "lib", "node_modules", "npm");
  if (!existsSync(join(npmDir, "bin", "npm-cli.js"))) throw new Error(`npm not found beside ${node} (looked in ${npmDir})`);
  const ca = existsSync(CA_BUNDLE);
  const dockerfile = [
    `FROM ${base}`,
    "COPY node /usr/local/bin/node",
    "COPY npm /usr/local/lib/node_modules/npm",
    ...(ca ? [`COPY ca.crt ${CA_BUNDLE}`, `ENV NODE_EXTRA_CA_CERTS=${CA_BUNDLE} NPM_CONFIG_CAFILE=${CA_BUNDLE}`] : []),
    "RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && useradd --create-home --uid 1000 node",
    ...extraLines,
    "",
  ].join("\n");
  const digest = createHash("sha256")
    .update(dockerfile)
    .update(ca ? readFileSync(CA_BUNDLE) : "")
    .digest("hex")
    .slice(0, 8);
  return { dockerfile, files: { node, npm: npmDir, ...(ca ? { "ca.crt": CA_BUNDLE } : {}) }, digest };
}

/** The base plus the Ollama binary, serving on 0.0.0.0:11434 like the published image. */
export function ensureOllamaImage(t: DockerTarget, base: string, ollamaBinary: string, ollamaVersion: string): string {
  const ollama = `aistack-e2e/ollama:${ollamaVersion}`;
  if (!imageExists(t, ollama)) {
    t.say(`building ${ollama}`);
    buildImage(
      t,
      ollama,
      [
        `FROM ${base}`,
        "COPY ollama /usr/bin/ollama",
        "ENV OLLAMA_HOST=0.0.0.0:11434",
        "EXPOSE 11434",
        'ENTRYPOINT ["/usr/bin/ollama"]',
        'CMD ["serve"]',
        "",
      ].join("\n"),
      { ollama: ollamaBinary },
    );
  }
  return ollama;
}

export async function ensureImages(t: DockerTarget, cache: string, ollamaBinary: string, ollamaVersion: string): Promise<SuiteImages> {
  const base = await ensureBaseImage(t, cache);
  return { ollama: ensureOllamaImage(t, base, ollamaBinary, ollamaVersion), nodeBase: ensureNodeBase(t, base) };
}
