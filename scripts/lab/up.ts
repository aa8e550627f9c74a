// `npm run lab -- up`: the hosts, their images and models, Kubernetes and Traefik, then a project copy
// with the lab stack generated from the home stack, ready for `pulumi preview`/`up` (or deployed, --deploy).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { e2eCacheDir, ensureOllama } from "../e2e/ollama.js";
import { REPO_ROOT } from "../e2e/router.js";
import { copyProject, pulumiRunner, seedOllamaModels, type PulumiRunner } from "../lib/project.js";
import { hostDocker } from "./hostd.js";
import { hostsUp, labDown } from "./hosts.js";
import { ensureLabImages, loadPinnedImages } from "./images.js";
import { applyCrds, kubeUp } from "./kube.js";
import { HOME_STACK_FILE, labHosts, type LabHost } from "./layout.js";
import { labPki } from "./pki.js";
import { LAB_STACK, labSecrets, labStackConfig, labStackFile, ollamaModels, pinnedImages } from "./stack.js";
import { readState, StateRecorder } from "./state.js";
import { say, sh, sleep } from "./sys.js";
import { ensureLabTools, labCacheDir, labPath, type LabTools } from "./toolchain.js";
import { findTraefikCrds, traefikUp } from "./traefik.js";

const PACKAGES: Record<string, string> = { "/usr/sbin/sshd": "openssh-server", "/usr/sbin/dockerd": "docker.io" };
const PASSPHRASE = "aistack-lab";

/** Debian's sshd and dockerd, installed when missing (apt may be busy for a moment: retried). */
async function ensurePackages(): Promise<void> {
  const missing = [
    ...new Set(
      Object.entries(PACKAGES)
        .filter(([bin]) => !existsSync(bin))
        .map(([, pkg]) => pkg),
    ),
  ];
  if (!missing.length) return;
  say(`installing ${missing.join(", ")} from Debian`);
  for (let attempt = 1; ; attempt++) {
    try {
      sh("apt-get", ["install", "-y", "-q", ...missing], { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeoutMs: 15 * 60_000 });
      return;
    } catch (err) {
      if (attempt >= 10) throw err;
      say(`apt-get busy or failed (attempt ${attempt}); retrying in 15 s`);
      await sleep(15_000);
    }
  }
}

export function needsRoot(): string | undefined {
  return process.getuid?.() === 0 ? undefined : "the lab needs root (network namespaces, dockerd, sshd)";
}

/** What `up` prints, and what the e2e:lab suite reads. */
export interface LabInfo {
  traefikUrl: string;
  domain: string;
  /** The lab CA: Traefik's default certificate (for the domain) and the API server's are signed by it. */
  caFile: string;
  routerKey: string;
  hosts: { name: string; address: string; sshPort: number; user: string }[];
  kubeconfig: string;
  stack: string;
  workDir: string;
  /** The Pulumi CLI (also first on env.PATH). */
  pulumi: string;
  env: Record<string, string>;
}

/** The router's Dockerfile default base image (NODE_IMAGE), used when router.baseImage is not set. */
function dockerfileNodeImage(): string {
  const m = /^ARG NODE_IMAGE=(\S+)$/m.exec(readFileSync(join(REPO_ROOT, "router", "Dockerfile"), "utf8"));
  if (!m?.[1]) throw new Error("router/Dockerfile has no ARG NODE_IMAGE default");
  return m[1];
}

function seedModels(dir: string, hosts: readonly LabHost[], config: Record<string, unknown>, image: (host: string) => string): void {
  for (const b of ollamaModels(config)) {
    const h = hosts.find((x) => x.name === b.host);
    if (!h) throw new Error(`no lab host ${b.host}`);
    seedOllamaModels((args) => hostDocker(h, args, { timeoutMs: 5 * 60_000 }), image(b.host), `${b.backend}-models`, join(dir, "models", b.backend), b.models);
    say(`host ${h.name}: ${b.models.join(", ")} in volume ${b.backend}-models`);
  }
}

async function initStack(pulumi: PulumiRunner, config: Record<string, unknown>, secrets: Record<string, string>): Promise<void> {
  writeFileSync(join(pulumi.project, "stacks", `Pulumi.${LAB_STACK}.yaml`), labStackFile(config));
  const run = async (args: string[]): Promise<void> => {
    const r = await pulumi.run(args);
    if (r.code !== 0) throw new Error(`pulumi ${args.slice(0, 3).join(" ")} failed: ${r.stderr.trim().slice(-800)}`);
  };
  await run(["stack", "init", LAB_STACK]);
  for (const [path, value] of Object.entries(secrets)) await run(["config", "set", "--secret", "--path", `secrets.${path}`, value, "-s", LAB_STACK]);
}

export async function labUp(dir: string, opts: { deploy?: boolean } = {}): Promise<LabInfo> {
  const notRoot = needsRoot();
  if (notRoot) throw new Error(notRoot);
  if (readState(dir)) {
    say("a lab stands (or a failed one left its state): taking it down first");
    await labDown(dir);
  }
  await ensurePackages();
  const tools: LabTools = await ensureLabTools();
  const hosts = labHosts(dir);
  const rec = new StateRecorder(dir);
  const ssh = await hostsUp(hosts, rec);
  const record = (name: string, pid: number): void => rec.update((s) => (s.pids[name] = pid));

  const homeYaml = readFileSync(HOME_STACK_FILE, "utf8");
  const config = labStackConfig(homeYaml, hosts);
  const pinned = pinnedImages(config, dockerfileNodeImage());
  const images = await ensureLabImages(hosts[0] as LabHost, await ensureOllama(), join(e2eCacheDir(), "infra"));
  loadPinnedImages(hosts, images, pinned);
  seedModels(dir, hosts, config, (host) => pinned.find((p) => p.host === host && p.role === "ollama")?.image ?? "");

  const ingress = (config["aistack:ingress"] ?? {}) as { domain?: string; entryPoint?: string; certResolver?: string };
  const domain = ingress.domain ?? "localhost";
  const pki = labPki(join(dir, "pki"));
  const kube = await kubeUp(join(dir, "kube"), pki, tools, record);
  // The CRDs of the Traefik release the toolchain built (its cache directory is traefik-<version>).
  const traefikVersion = /traefik-(v[^/]+)\/bin\//.exec(tools.traefik)?.[1];
  const crds = await applyCrds(
    kube,
    readFileSync(findTraefikCrds([join(labCacheDir(), "go", "mod"), join(e2eCacheDir(), "go", "mod")], traefikVersion), "utf8"),
  );
  say(`Kubernetes API at ${kube.server}; Traefik CRDs applied: ${crds.length}`);
  mkdirSync(join(dir, "traefik"), { recursive: true });
  const traefik = await traefikUp(
    {
      dir: join(dir, "traefik"),
      binary: tools.traefik,
      kubeconfig: kube.kubeconfig,
      entryPoint: ingress.entryPoint ?? "websecure",
      certResolver: ingress.certResolver,
      defaultCert: pki.issue("traefik-default", domain, [`DNS:${domain}`]),
    },
    (pid) => record("traefik", pid),
  );

  const project = join(dir, "project");
  copyProject(project);
  const env = { PATH: labPath(tools, `${ssh.binDir}:${process.env.PATH ?? ""}`), SSH_AUTH_SOCK: ssh.agentSock, KUBECONFIG: kube.kubeconfig };
  const pulumi = pulumiRunner(tools.pulumi, project, join(dir, "pulumi-state"), join(dir, "pulumi-home"), env, PASSPHRASE);
  const secrets = labSecrets(config, readFileSync(kube.kubeconfig, "utf8"));
  await initStack(pulumi, config, secrets);
  const routerKey = secrets["apiKeys.laptop"] ?? Object.entries(secrets).find(([k]) => k.startsWith("apiKeys."))?.[1] ?? "";
  if (opts.deploy) {
    say("pulumi up -s lab");
    const r = await pulumi.run(["up", "--yes", "--skip-preview", "-s", LAB_STACK], { timeoutMs: 40 * 60_000 });
    process.stderr.write(r.stdout + r.stderr);
    if (r.code !== 0) throw new Error("pulumi up failed (output above); the lab stands: npm run lab -- down removes it");
  }
  const info: LabInfo = {
    traefikUrl: `https://127.0.0.1:${traefik.httpsPort}`,
    domain,
    caFile: pki.ca,
    routerKey,
    hosts: hosts.map((h) => ({ name: h.name, address: h.address, sshPort: h.sshPort, user: h.user })),
    kubeconfig: kube.kubeconfig,
    stack: LAB_STACK,
    workDir: project,
    pulumi: tools.pulumi,
    env: {
      PULUMI_BACKEND_URL: pulumi.env.PULUMI_BACKEND_URL ?? "",
      PULUMI_HOME: pulumi.env.PULUMI_HOME ?? "",
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      ...env,
    },
  };
  writeFileSync(join(dir, "lab.json"), `${JSON.stringify(info, null, 2)}\n`);
  return info;
}
