// The daemons of one lab host, as a real host has them: Debian's dockerd and sshd, in the host's network
// namespace and a mount namespace of its own. The mount namespace puts the host's own directory on /opt
// (where the stack's dataDir, /opt/aistack, lives), so what the command provider writes over SSH and what
// that host's dockerd bind-mounts into the router container are the same files, and no two hosts share
// them. dockerd is started first and holds the mount namespace; sshd joins it (nsenter).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { shellWord } from "../../infra/specs/shell.js";
import { join } from "node:path";
import type { LabHost } from "./layout.js";
import { hostKeyFile } from "./ssh.js";
import { alive, sh, startDaemon, trySh, waitFor } from "./sys.js";

function dockerSocket(h: LabHost): string {
  return join(h.dir, "docker.sock");
}

/** The DOCKER_HOST the host's SSH sessions get (sshd's SetEnv): its own dockerd. */
export function dockerHostEnv(h: LabHost): string {
  return `unix://${dockerSocket(h)}`;
}

export const CGROUP_PREFIX = "aistack-lab-";

export function cgroupParent(h: LabHost): string {
  return `${CGROUP_PREFIX}${h.name}`;
}

/**
 * dockerd registers its `nvidia` device driver (what `--gpus` asks for) only when this hook is on its
 * PATH at start; runc then runs it as a prestart hook of a container that asked for GPUs. The stub reads
 * the container state runc hands it and succeeds, so the stack's GPU requests are accepted unchanged.
 */
const GPU_HOOK = "#!/bin/sh\n# The lab's GPUs: none. Accepts the prestart hook call and does nothing.\ncat >/dev/null\nexit 0\n";

export function sshdConfigText(h: LabHost, authorizedKeys: string): string {
  return [
    `Port ${h.sshPort}`,
    `ListenAddress ${h.address}`,
    `HostKey ${hostKeyFile(h)}`,
    `PidFile ${join(h.dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PermitRootLogin prohibit-password",
    "UsePAM yes",
    "PrintMotd no",
    `SetEnv DOCKER_HOST=${dockerHostEnv(h)}`,
    "Subsystem sftp internal-sftp",
    "",
  ].join("\n");
}

/** Writes the host's files: directories, host key, sshd_config, daemon.json, the GPU hook stub. */
export function prepareHost(h: LabHost, authorizedKeys: string): void {
  for (const d of [h.dir, join(h.dir, "opt"), join(h.dir, "gpu-bin"), join(h.dir, "docker"), join(h.dir, "exec")])
    mkdirSync(d, { recursive: true, mode: 0o755 });
  chmodSync(h.dir, 0o755);
  if (!existsSync(hostKeyFile(h))) sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `aistack-lab-${h.name}`, "-f", hostKeyFile(h)]);
  writeFileSync(join(h.dir, "sshd_config"), sshdConfigText(h, authorizedKeys));
  writeFileSync(join(h.dir, "daemon.json"), "{}\n");
  writeFileSync(join(h.dir, "gpu-bin", "nvidia-container-runtime-hook"), GPU_HOOK, { mode: 0o755 });
}

function dockerdArgs(h: LabHost): string[] {
  return [
    "--config-file",
    join(h.dir, "daemon.json"),
    "--data-root",
    join(h.dir, "docker"),
    "--exec-root",
    join(h.dir, "exec"),
    "--pidfile",
    join(h.dir, "docker.pid"),
    "--host",
    dockerHostEnv(h),
    "--group",
    "docker",
    "--cgroup-parent",
    cgroupParent(h),
    "--shutdown-timeout",
    "5",
  ];
}

export function dockerEnv(h: LabHost): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_HOST: dockerHostEnv(h) };
}

/** Runs the Docker CLI against the host's dockerd (from the root namespace, through its socket). */
export function hostDocker(h: LabHost, args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): string {
  return sh("docker", args, { ...opts, env: dockerEnv(h) });
}

/**
 * Shell lines that mount the cgroup hierarchies as the root namespace has them (from /proc/self/mounts):
 * `ip netns exec` mounts a fresh /sys for the namespace, without /sys/fs/cgroup's mounts, and dockerd
 * refuses to start without them ("Devices cgroup isn't mounted" on a cgroup v1 host).
 */
export function cgroupMountScript(mounts: string): string[] {
  const lines: string[] = [];
  for (const line of mounts.split("\n")) {
    const [, mountPoint, type, options] = line.split(" ");
    if (!mountPoint || !mountPoint.startsWith("/sys/fs/cgroup")) continue;
    const mp = shellWord(mountPoint);
    if (type === "tmpfs") lines.push(`mount -t tmpfs -o mode=755 cgroup ${mp}`);
    else if (type === "cgroup2") lines.push(`mkdir -p ${mp} && mount -t cgroup2 cgroup2 ${mp}`);
    else if (type === "cgroup") {
      const opts = (options ?? "").split(",").filter((o) => !["rw", "ro", "relatime", "nosuid", "nodev", "noexec"].includes(o));
      lines.push(`mkdir -p ${mp} && mount -t cgroup -o ${shellWord(opts.join(",") || "none")} cgroup ${mp}`);
    }
  }
  return lines;
}

export async function startDockerd(h: LabHost): Promise<number> {
  const path = `${join(h.dir, "gpu-bin")}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
  const script = [...cgroupMountScript(readFileSync("/proc/self/mounts", "utf8")), `mount --bind "$1" /opt`, "shift", `exec dockerd "$@"`].join(" && ");
  const pid = startDaemon(
    "ip",
    ["netns", "exec", h.netns, "unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", join(h.dir, "opt"), ...dockerdArgs(h)],
    join(h.dir, "dockerd.log"),
    { ...process.env, PATH: path },
  );
  await waitFor(
    `dockerd of ${h.name} answering (log: ${join(h.dir, "dockerd.log")})`,
    () => {
      if (!alive(pid)) throw new Error("dockerd exited");
      return trySh("docker", ["version", "--format", "{{.Server.Version}}"], { env: dockerEnv(h), timeoutMs: 5_000 });
    },
    90_000,
  );
  return pid;
}

/** sshd in the host's network namespace and dockerd's mount namespace; returns its pid once it listens. */
export async function startSshd(h: LabHost, dockerdPid: number): Promise<number> {
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const pid = startDaemon(
    "nsenter",
    ["--target", String(dockerdPid), "--mount", "--net", "/usr/sbin/sshd", "-D", "-e", "-f", join(h.dir, "sshd_config")],
    join(h.dir, "sshd.log"),
  );
  await waitFor(
    `sshd of ${h.name} listening (log: ${join(h.dir, "sshd.log")})`,
    () => {
      if (!alive(pid)) throw new Error("sshd exited");
      return sh("ip", ["netns", "exec", h.netns, "ss", "-Hltn", `sport = :${h.sshPort}`]).trim() !== "";
    },
    20_000,
  );
  return pid;
}
