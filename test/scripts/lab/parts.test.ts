// The lab's generated files and commands, checked without standing a lab up: what sshd, ssh, dockerd's
// mount namespace, the router build's npm cache, Traefik and the kubeconfig are given.
import { readFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cgroupMountScript, dockerHostEnv, sshdConfigText } from "../../../scripts/lab/hostd.js";
import { npmSteps } from "../../../scripts/lab/images.js";
import { kubeconfigText } from "../../../scripts/lab/kube.js";
import { planHosts } from "../../../scripts/lab/layout.js";
import { knownHostsLine, sshConfigText } from "../../../scripts/lab/ssh.js";
import { LAB_KUBE_CONTEXT } from "../../../scripts/lab/stack.js";
import { traefikStaticConfig } from "../../../scripts/lab/traefik.js";

const [host] = planHosts([{ name: "spark-1", address: "10.0.0.11", user: "nvidia" }], "/var/lib/aistack-lab");
if (!host) throw new Error("no host planned");

describe("the lab's SSH", () => {
  it("sshd listens on the host's lab address, keys only, and points sessions at the host's own dockerd", () => {
    const text = sshdConfigText(host, "/lab/ssh/authorized_keys");
    expect(text).toContain("ListenAddress 10.77.0.11\n");
    expect(text).toContain("PasswordAuthentication no\n");
    expect(text).toContain("AuthorizedKeysFile /lab/ssh/authorized_keys\n");
    expect(text).toContain(`SetEnv DOCKER_HOST=${dockerHostEnv(host)}\n`);
    expect(dockerHostEnv(host)).toBe("unix:///var/lib/aistack-lab/hosts/spark-1/docker.sock");
  });

  it("the client checks host keys strictly against the lab's known_hosts, in ssh's own line format", () => {
    const cfg = sshConfigText({ knownHosts: "/lab/ssh/known_hosts", agentSock: "/lab/ssh/agent.sock" });
    expect(cfg).toContain("StrictHostKeyChecking yes");
    expect(cfg).toContain("UserKnownHostsFile /lab/ssh/known_hosts");
    expect(cfg).not.toMatch(/StrictHostKeyChecking (no|accept-new)/);
    expect(knownHostsLine({ address: "10.77.0.11", sshPort: 22 }, "ssh-ed25519 AAAAC3Nza lab-key\n")).toBe("10.77.0.11 ssh-ed25519 AAAAC3Nza");
    expect(knownHostsLine({ address: "10.77.0.11", sshPort: 2222 }, "ssh-ed25519 AAAAC3Nza")).toBe("[10.77.0.11]:2222 ssh-ed25519 AAAAC3Nza");
  });
});

describe("dockerd's mount namespace", () => {
  it("mounts the cgroup v1 hierarchies (and the unified one) as the root namespace has them", () => {
    const mounts = [
      "tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0",
      "cgroup /sys/fs/cgroup/devices cgroup rw,relatime,devices 0 0",
      "cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0",
      "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0",
      "proc /proc proc rw 0 0",
    ].join("\n");
    expect(cgroupMountScript(mounts)).toEqual([
      "mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup",
      "mkdir -p /sys/fs/cgroup/devices && mount -t cgroup -o devices cgroup /sys/fs/cgroup/devices",
      "mkdir -p /sys/fs/cgroup/systemd && mount -t cgroup -o name=systemd cgroup /sys/fs/cgroup/systemd",
      "mkdir -p /sys/fs/cgroup/unified && mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified",
    ]);
  });

  it("mounts a cgroup v2 host's single hierarchy", () => {
    expect(cgroupMountScript("cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0")).toEqual(["mkdir -p /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup"]);
  });
});

describe("the router build's npm cache", () => {
  it("is made by router/Dockerfile's own install steps", () => {
    const steps = npmSteps(readFileSync(new URL("../../../router/Dockerfile", import.meta.url), "utf8"));
    expect(steps[0]).toMatch(/^npm ci\b/);
    expect(steps.some((s) => s.includes("npm install --omit=dev"))).toBe(true);
    expect(steps.every((s) => !s.includes("\\"))).toBe(true);
  });
});

describe("Traefik and the kubeconfig", () => {
  it("serves the stack's entry point on loopback, reads ExternalName services, and its cert resolver's ACME server is on loopback", () => {
    const cfg = traefikStaticConfig(
      {
        dir: "/lab/traefik",
        binary: "traefik",
        kubeconfig: "/lab/kube/kubeconfig",
        entryPoint: "websecure",
        certResolver: "letsencrypt",
        defaultCert: { cert: "c", key: "k" },
      },
      { https: 8443, ping: 8082, acme: 9 },
    ) as {
      entryPoints: Record<string, { address: string }>;
      providers: { kubernetesCRD: Record<string, unknown> };
      certificatesResolvers: Record<string, { acme: { caServer: string } }>;
    };
    expect(cfg.entryPoints.websecure?.address).toBe("127.0.0.1:8443");
    expect(cfg.providers.kubernetesCRD.allowExternalNameServices).toBe(true);
    expect(new URL(cfg.certificatesResolvers.letsencrypt?.acme.caServer ?? "").hostname).toBe("127.0.0.1");
  });

  it("writes a kubeconfig whose context is the one the lab stack names", () => {
    const dir = mkdtempSync(join(tmpdir(), "aistack-lab-test-"));
    writeFileSync(join(dir, "ca.crt"), "CA");
    const k = parse(kubeconfigText({ server: "https://127.0.0.1:6443", token: "t", ca: join(dir, "ca.crt") })) as {
      "current-context": string;
      clusters: { cluster: Record<string, string> }[];
    };
    expect(k["current-context"]).toBe(LAB_KUBE_CONTEXT);
    expect(k.clusters[0]?.cluster["certificate-authority-data"]).toBe(Buffer.from("CA").toString("base64"));
  });
});
