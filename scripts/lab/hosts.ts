// Stands the hosts up (network, users, sshd, dockerd, the client's SSH) and takes everything down again.
import { existsSync, readdirSync, rmSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { CGROUP_PREFIX, cgroupParent, prepareHost, startDockerd, startSshd } from "./hostd.js";
import { BRIDGE, labHosts, type LabHost } from "./layout.js";
import { bridgeDown, bridgeUp, hostNetworkDown, hostNetworkUp, netnsPids } from "./network.js";
import { authorizedKeysFile, sshClientUp, writeAuthorizedKeys, type SshClient } from "./ssh.js";
import { readState, StateRecorder, type LabState } from "./state.js";
import { alive, say, sh, sleep, stopPid, trySh } from "./sys.js";

function userExists(user: string): boolean {
  return trySh("id", ["-u", user]);
}

/** The stack's users exist and may use Docker (the docker group owns each host's socket). */
function ensureUsers(users: readonly string[], rec: StateRecorder): void {
  for (const user of [...new Set(users)]) {
    if (!userExists(user)) {
      sh("useradd", ["--create-home", "--shell", "/bin/bash", "--groups", "docker", user]);
      rec.update((s) => s.createdUsers.push(user));
      say(`created user ${user} (in the docker group)`);
    } else if (user !== "root" && !sh("id", ["-nG", user]).split(/\s+/).includes("docker")) {
      sh("usermod", ["--append", "--groups", "docker", user]);
      rec.update((s) => s.addedToDocker.push(user));
    }
  }
}

export async function hostsUp(hosts: readonly LabHost[], rec: StateRecorder): Promise<SshClient> {
  const dir = rec.state.dir;
  ensureUsers(
    hosts.map((h) => h.user),
    rec,
  );
  rec.update((s) => (s.bridge = BRIDGE));
  bridgeUp();
  for (const h of hosts) {
    rec.update((s) => (s.hosts[h.name] = { netns: h.netns, veth: h.veth, cgroup: cgroupParent(h), pids: {} }));
    hostNetworkUp(h);
    prepareHost(h, authorizedKeysFile(dir));
  }
  const client = await sshClientUp(dir, hosts);
  rec.update((s) => (s.pids["ssh-agent"] = client.agentPid));
  writeAuthorizedKeys(dir);
  for (const h of hosts) {
    const dockerd = await startDockerd(h);
    rec.update((s) => ((s.hosts[h.name] as LabState["hosts"][string]).pids.dockerd = dockerd));
    const sshd = await startSshd(h, dockerd);
    rec.update((s) => ((s.hosts[h.name] as LabState["hosts"][string]).pids.sshd = sshd));
    say(`host ${h.name}: ${h.address}, sshd pid ${sshd}, dockerd pid ${dockerd}`);
  }
  return client;
}

function recordedHost(dir: string, name: string): { rec: StateRecorder; h: LabHost; pids: Record<string, number> } {
  const rec = new StateRecorder(dir);
  const h = labHosts(dir).find((x) => x.name === name);
  const pids = rec.state.hosts[name]?.pids;
  if (!h || !pids) throw new Error(`the lab has no host ${name}`);
  return { rec, h, pids };
}

/** A host goes off the network as far as SSH is concerned: its sshd is stopped (dockerd keeps running). */
export async function stopHostSshd(dir: string, name: string): Promise<void> {
  const { pids } = recordedHost(dir, name);
  if (pids.sshd) await stopPid(pids.sshd, 5_000);
}

export async function startHostSshd(dir: string, name: string): Promise<void> {
  const { rec, h, pids } = recordedHost(dir, name);
  if (!pids.dockerd) throw new Error(`host ${name} has no dockerd`);
  const sshd = await startSshd(h, pids.dockerd);
  rec.update((s) => ((s.hosts[name] as LabState["hosts"][string]).pids.sshd = sshd));
}

/**
 * Empty cgroups the hosts' dockerds made, named `aistack-lab-<host>` (cgroup-parent): containers' cgroups
 * first, then the parent, in the unified hierarchy and in each cgroup v1 controller's.
 */
function removeLabCgroups(): void {
  const base = "/sys/fs/cgroup";
  if (!existsSync(base)) return;
  const hierarchies = [
    base,
    ...readdirSync(base, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith(CGROUP_PREFIX))
      .map((d) => join(base, d.name)),
  ];
  for (const h of hierarchies) {
    let entries: string[] = [];
    try {
      entries = readdirSync(h).filter((n) => n.startsWith(CGROUP_PREFIX));
    } catch {
      continue;
    }
    for (const name of entries) {
      const root = join(h, name);
      for (const child of readdirSync(root, { withFileTypes: true })) if (child.isDirectory()) trySh("rmdir", [join(root, child.name)]);
      try {
        rmdirSync(root);
      } catch {
        // still in use
      }
    }
  }
}

/** Ends everything a state records; safe on a partial state and when run twice. */
export async function labDown(dir: string): Promise<void> {
  const state = readState(dir);
  if (!state) {
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    removeLabCgroups();
    return;
  }
  for (const [name, pid] of Object.entries(state.pids).reverse()) {
    if (alive(pid)) say(`stopping ${name} (pid ${pid})`);
    await stopPid(pid);
  }
  for (const [name, h] of Object.entries(state.hosts)) {
    if (h.pids.sshd) await stopPid(h.pids.sshd, 5_000);
    // dockerd stops its containers (5 s each at most, --shutdown-timeout) and its containerd.
    if (h.pids.dockerd) await stopPid(h.pids.dockerd, 30_000);
    // Whatever is still in the namespace (a container's shim, a process left behind) goes too.
    for (let round = 0; round < 3; round++) {
      const left = netnsPids(h.netns);
      if (!left.length) break;
      for (const pid of left) await stopPid(pid, round === 0 ? 3_000 : 0);
      await sleep(200);
    }
    hostNetworkDown(h);
    say(`host ${name} down`);
  }
  if (state.bridge) bridgeDown();
  for (const user of state.addedToDocker) trySh("gpasswd", ["--delete", user, "docker"]);
  for (const user of state.createdUsers) trySh("userdel", ["--remove", user]);
  removeLabCgroups();
  rmSync(dir, { recursive: true, force: true });
}
