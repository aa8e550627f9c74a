// The client side of the lab's SSH: a key the lab generates, held by an ssh-agent the lab starts, the
// hosts' keys in a known_hosts file the lab writes, and an `ssh` on the lab's PATH that reads the lab's
// ssh_config (that known_hosts, strict checking), so the Docker provider's `ssh://` connections verify
// each host as on a real network without touching ~/.ssh.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LabHost } from "./layout.js";
import { sh, startDaemon, waitFor } from "./sys.js";

export interface SshClient {
  key: string;
  agentSock: string;
  agentPid: number;
  knownHosts: string;
  config: string;
  /** A directory holding the `ssh` wrapper; first on the PATH of everything the lab runs. */
  binDir: string;
}

function sshPaths(dir: string): Omit<SshClient, "agentPid"> {
  return {
    key: join(dir, "ssh", "id_ed25519"),
    agentSock: join(dir, "ssh", "agent.sock"),
    knownHosts: join(dir, "ssh", "known_hosts"),
    config: join(dir, "ssh", "ssh_config"),
    binDir: join(dir, "bin"),
  };
}

export function hostKeyFile(h: LabHost): string {
  return join(h.dir, "ssh_host_ed25519_key");
}

/** The known_hosts line of a host (`[addr]:port` unless the port is 22, as ssh writes it). */
export function knownHostsLine(h: Pick<LabHost, "address" | "sshPort">, publicKey: string): string {
  const [type, key] = publicKey.trim().split(/\s+/);
  const name = h.sshPort === 22 ? h.address : `[${h.address}]:${h.sshPort}`;
  return `${name} ${type} ${key}`;
}

export function sshConfigText(p: Pick<SshClient, "knownHosts" | "agentSock">): string {
  return [
    "Host *",
    `  UserKnownHostsFile ${p.knownHosts}`,
    "  GlobalKnownHostsFile /dev/null",
    "  StrictHostKeyChecking yes",
    `  IdentityAgent ${p.agentSock}`,
    "  BatchMode yes",
    "  ConnectTimeout 10",
    "",
  ].join("\n");
}

/** Generates the host keys first (hostKeys), then the client key, agent, known_hosts and wrapper. */
export async function sshClientUp(dir: string, hosts: readonly LabHost[]): Promise<SshClient> {
  const p = sshPaths(dir);
  mkdirSync(join(dir, "ssh"), { recursive: true, mode: 0o755 });
  mkdirSync(p.binDir, { recursive: true, mode: 0o755 });
  if (!existsSync(p.key)) sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "aistack-lab", "-f", p.key]);
  writeFileSync(p.knownHosts, hosts.map((h) => knownHostsLine(h, readFileSync(`${hostKeyFile(h)}.pub`, "utf8"))).join("\n") + "\n");
  writeFileSync(p.config, sshConfigText(p));
  const wrapper = join(p.binDir, "ssh");
  writeFileSync(wrapper, `#!/bin/sh\n# The lab's ssh: its known_hosts and agent (see ${p.config}).\nexec /usr/bin/ssh -F ${p.config} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const agentPid = startDaemon("ssh-agent", ["-D", "-a", p.agentSock], join(dir, "ssh", "agent.log"));
  await waitFor("ssh-agent listening", () => existsSync(p.agentSock), 10_000);
  sh("ssh-add", ["-q", p.key], { env: { ...process.env, SSH_AUTH_SOCK: p.agentSock } });
  return { ...p, agentPid };
}

export function authorizedKeysFile(dir: string): string {
  return join(dir, "ssh", "authorized_keys");
}

export function writeAuthorizedKeys(dir: string): void {
  const p = sshPaths(dir);
  writeFileSync(authorizedKeysFile(dir), readFileSync(`${p.key}.pub`, "utf8"), { mode: 0o644 });
}
