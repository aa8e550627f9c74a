// `npm run lab -- up`: the hosts, then (with the toolchain) images, Kubernetes, Traefik and the stack.
import { existsSync } from "node:fs";
import { labDown } from "./hosts.js";
import { hostsUp } from "./hosts.js";
import { labHosts } from "./layout.js";
import { readState, StateRecorder } from "./state.js";
import { say, sh, sleep } from "./sys.js";

const PACKAGES: Record<string, string> = { "/usr/sbin/sshd": "openssh-server", "/usr/sbin/dockerd": "docker.io" };

/** Debian's sshd and dockerd, installed when missing (apt may be busy for a moment: retried). */
async function ensurePackages(): Promise<void> {
  const missing = [...new Set(Object.entries(PACKAGES).filter(([bin]) => !existsSync(bin)).map(([, pkg]) => pkg))];
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

export async function labUp(dir: string): Promise<Record<string, unknown>> {
  const notRoot = needsRoot();
  if (notRoot) throw new Error(notRoot);
  if (readState(dir)) {
    say("a lab stands (or a failed one left its state): taking it down first");
    await labDown(dir);
  }
  await ensurePackages();
  const hosts = labHosts(dir);
  const rec = new StateRecorder(dir);
  const ssh = await hostsUp(hosts, rec);
  return {
    hosts: hosts.map((h) => ({ name: h.name, address: h.address, sshPort: h.sshPort, user: h.user })),
    workDir: dir,
    env: { SSH_AUTH_SOCK: ssh.agentSock, PATH: `${ssh.binDir}:${process.env.PATH ?? ""}` },
  };
}
