// The images the lab's hosts need, under the exact names the stack pins (no registry is reachable from
// the lab): the real Ollama (the image e2e:infra builds from the binary npm run e2e builds), stand-ins
// for vLLM, Open WebUI and Kokoro, and the Node base the router build starts from. Built once in one
// host's dockerd, saved as tarballs in the cache (reused across labs), loaded into each host that runs
// them and tagged with the pinned names.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../e2e/router.js";
import { buildImage, docker, ensureBaseImage, ensureOllamaImage, imageExists, nodeBaseRecipe, type DockerTarget } from "../lib/images.js";
import { dockerEnv } from "./hostd.js";
import type { LabHost } from "./layout.js";
import type { pinnedImages } from "./stack.js";
import { say, sh } from "./sys.js";
import { labCacheDir } from "./toolchain.js";

type Role = ReturnType<typeof pinnedImages>[number]["role"];

function digestOf(...parts: (string | Buffer)[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex").slice(0, 10);
}

/** The RUN steps of router/Dockerfile that install packages (`npm ci`, `npm install`), as written there. */
export function npmSteps(dockerfile: string): string[] {
  const joined = dockerfile.replace(/\\\n/g, " ");
  return joined
    .split("\n")
    .filter((l) => l.startsWith("RUN ") && /\bnpm (ci|install)\b/.test(l))
    .map((l) => l.slice("RUN ".length).trim());
}

/**
 * An npm cache holding every package router/Dockerfile's install steps need, made by running those
 * steps here (where the registry is reachable) against the lockfile: inside a lab host the same steps
 * then run offline from it.
 */
function ensureNpmCache(cache: string): string {
  const lock = readFileSync(join(REPO_ROOT, "package-lock.json"));
  const dockerfile = readFileSync(join(REPO_ROOT, "router", "Dockerfile"), "utf8");
  const dir = join(cache, `npm-cache-${digestOf(lock, dockerfile)}`);
  if (existsSync(join(dir, ".complete"))) return dir;
  rmSync(dir, { recursive: true, force: true });
  for (const step of npmSteps(dockerfile)) {
    const work = mkdtempSync(join(tmpdir(), "aistack-lab-npm-"));
    try {
      for (const f of ["package.json", "package-lock.json"]) copyFileSync(join(REPO_ROOT, f), join(work, f));
      say(`npm cache for the router build: ${step.slice(0, 80)}`);
      sh("sh", ["-c", step], { cwd: work, env: { ...process.env, npm_config_cache: dir }, timeoutMs: 20 * 60_000 });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  // Names this cache's contents: the base image built on it carries that name, so a remade cache remakes it.
  writeFileSync(join(dir, ".complete"), `${new Date().toISOString()}\n`);
  return dir;
}

/** Compiles the stand-ins (scripts/lab/standin) and the engine fakes they use into `out`, with the repository's compiler options. */
function compileStandins(out: string, work: string): void {
  const tsconfig = join(work, "tsconfig.standin.json");
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(REPO_ROOT, "tsconfig.json"),
      compilerOptions: { noEmit: false, sourceMap: false, outDir: out, rootDir: REPO_ROOT, typeRoots: [join(REPO_ROOT, "node_modules", "@types")] },
      include: [join(REPO_ROOT, "scripts", "lab", "standin"), join(REPO_ROOT, "tools", "fakes")],
    }),
  );
  sh(process.execPath, [join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", tsconfig], { timeoutMs: 5 * 60_000 });
  writeFileSync(join(out, "package.json"), '{ "type": "module" }\n');
}

const RAY =
  '#!/bin/sh\n# The lab has no Ray cluster: `ray start --block` waits, every other call succeeds.\ncase " $* " in *" --block "*) exec sleep infinity ;; esac\nexit 0\n';

/** Shell lines of the stand-in Dockerfile: the healthcheck commands and vllm/ray on PATH. */
function standinLines(): string[] {
  const shim = (name: string, target: string): string =>
    `printf '#!/bin/sh\\nexec node ${target} "$@"\\n' > /usr/local/bin/${name} && chmod 755 /usr/local/bin/${name}`;
  return [
    "COPY standin /opt/standin",
    "COPY ray /usr/local/bin/ray",
    `RUN chmod 755 /usr/local/bin/ray && ${shim("vllm", "/opt/standin/scripts/lab/standin/vllm.js")} && ${shim("python3", "/opt/standin/scripts/lab/standin/probe.js python3")} && ${shim("curl", "/opt/standin/scripts/lab/standin/probe.js curl")}`,
  ];
}

interface Built {
  tag: string;
  tar: string;
}

/** Builds (on the builder host) and saves an image unless its tarball is cached. */
function ensureTar(t: DockerTarget, cache: string, tag: string, build: () => void): Built {
  const tar = join(cache, "images", `${tag.replace(/[/:]/g, "_")}.tar`);
  if (existsSync(tar)) return { tag, tar };
  mkdirSync(join(cache, "images"), { recursive: true });
  if (!imageExists(t, tag)) build();
  docker(t, ["save", "-o", `${tar}.part`, tag]);
  sh("mv", [`${tar}.part`, tar]);
  return { tag, tar };
}

export interface LabImages {
  byRole: Record<Role, Built>;
}

export async function ensureLabImages(builder: LabHost, ollama: { binary: string; version: string }, e2eCache: string): Promise<LabImages> {
  const cache = labCacheDir();
  const t: DockerTarget = { env: dockerEnv(builder), say };
  const base = await ensureBaseImage(t, e2eCache);
  const npmCache = ensureNpmCache(cache);
  const routerBase = nodeBaseRecipe(base, ["COPY npm-cache /opt/npm-cache", "RUN printf 'cache=/opt/npm-cache\\noffline=true\\n' > /usr/local/etc/npmrc"]);
  const routerBaseTag = `aistack-lab/node-offline:${digestOf(routerBase.digest, readFileSync(join(npmCache, ".complete")))}`;
  const nodeBuilt = ensureTar(t, cache, routerBaseTag, () =>
    buildImage(t, routerBaseTag, routerBase.dockerfile, { ...routerBase.files, "npm-cache": npmCache }),
  );

  const work = mkdtempSync(join(tmpdir(), "aistack-lab-standin-"));
  try {
    compileStandins(join(work, "standin"), work);
    writeFileSync(join(work, "ray"), RAY);
    const node = nodeBaseRecipe(base, standinLines());
    const sources = readdirSync(join(work, "standin"), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(join(e.parentPath, e.name)))
      .reduce((acc, b) => digestOf(acc, b), "");
    const standinTag = `aistack-lab/standin:${digestOf(node.digest, sources, RAY)}`;
    const files = { ...node.files, standin: join(work, "standin"), ray: join(work, "ray") };
    const role = (name: string, port: number): Built => {
      const tag = `aistack-lab/${name}:${digestOf(standinTag, String(port))}`;
      return ensureTar(t, cache, tag, () => {
        if (!imageExists(t, standinTag)) buildImage(t, standinTag, node.dockerfile, files);
        buildImage(
          t,
          tag,
          `FROM ${standinTag}\nEXPOSE ${port}\nCMD ["node", "/opt/standin/scripts/lab/standin/http.js", "--name", "${name}", "--port", "${port}"]\n`,
          {},
        );
      });
    };
    const vllm = ensureTar(t, cache, standinTag, () => buildImage(t, standinTag, node.dockerfile, files));
    const ollamaBuilt = ensureTar(t, cache, `aistack-e2e/ollama:${ollama.version}`, () => ensureOllamaImage(t, base, ollama.binary, ollama.version));
    return { byRole: { ollama: ollamaBuilt, "node-base": nodeBuilt, vllm, "open-webui": role("open-webui", 8080), kokoro: role("kokoro", 8880) } };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Loads each host's images and tags them with the names the stack pins. */
export function loadPinnedImages(hosts: readonly LabHost[], images: LabImages, pinned: ReturnType<typeof pinnedImages>): void {
  for (const h of hosts) {
    const mine = pinned.filter((p) => p.host === h.name);
    const t: DockerTarget = { env: dockerEnv(h), say };
    for (const p of mine) {
      const built = images.byRole[p.role];
      if (!imageExists(t, built.tag)) docker(t, ["load", "-q", "-i", built.tar]);
      docker(t, ["tag", built.tag, p.image]);
    }
    if (mine.length) say(`host ${h.name}: ${mine.map((p) => `${p.image} (${p.role})`).join(", ")}`);
  }
}
