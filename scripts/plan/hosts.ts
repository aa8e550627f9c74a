// Which host a resource lives on: Docker resources by their provider's endpoint, remote commands by
// the address they connect to, local commands on the local host; Kubernetes objects form their own group.
import type { Capture, CapturedResource } from "./types.js";

export const kubernetesGroup = "Kubernetes";
const otherGroup = "Other";

function hostByDockerUrl(capture: Capture, url: string): string | undefined {
  for (const h of capture.hosts) {
    if (h.kind === "local" && h.socket === url) return h.name;
    if (
      h.kind === "ssh" &&
      h.address !== undefined &&
      new RegExp(`^ssh://([^@/]+@)?${h.address.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(:\\d+)?/?$`).test(url)
    ) {
      return h.name;
    }
  }
  return undefined;
}

/** The group (host name, "Kubernetes" or "Other") a resource is shown under. */
export function groupOf(capture: Capture, r: CapturedResource): string {
  if (r.type.startsWith("kubernetes:") || r.type === "pulumi:providers:kubernetes") return kubernetesGroup;
  if (r.type === "pulumi:providers:docker") {
    const url = r.inputs.host;
    return (typeof url === "string" ? hostByDockerUrl(capture, url) : undefined) ?? otherGroup;
  }
  if (r.type.startsWith("docker:") && r.provider) {
    const provider = capture.resources.find((p) => p.type === "pulumi:providers:docker" && p.name === r.provider);
    const url = provider?.inputs.host;
    return (typeof url === "string" ? hostByDockerUrl(capture, url) : undefined) ?? otherGroup;
  }
  if (r.type === "command:remote:Command" && r.address) return capture.hosts.find((h) => h.address === r.address)?.name ?? r.address;
  if (r.type === "command:local:Command") return capture.hosts.find((h) => h.kind === "local")?.name ?? otherGroup;
  return otherGroup;
}

/** Hosts first (by name), then Kubernetes, then anything else. */
export function compareGroups(a: string, b: string): number {
  const rank = (g: string): number => (g === kubernetesGroup ? 1 : g === otherGroup ? 2 : 0);
  return rank(a) - rank(b) || a.localeCompare(b);
}
