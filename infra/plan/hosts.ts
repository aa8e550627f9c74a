// Addresses and Docker endpoints of hosts.
import type { Gpus, HostConfig, StackConfig } from "../config/schema.js";

/** The Docker endpoint the provider for this host talks to (keys come from the SSH agent). */
export function dockerHostUrl(host: HostConfig): string {
  return host.kind === "local" ? host.socket : `ssh://${host.user}@${host.address}:${host.sshPort}`;
}

/** A name containers on a local host use to reach the host itself (mapped to Docker's host gateway). */
export const localHostAlias = "host.docker.internal";

/**
 * How a container on `fromHost` reaches a service published on `toHost`. Containers on a local
 * host cannot use 127.0.0.1 (that is the container itself), so they go through the host gateway.
 */
export function reachAddress(cfg: StackConfig, toHost: string, fromHost?: string): string {
  const to = cfg.hosts[toHost];
  if (!to) throw new Error(`unknown host ${toHost}`);
  if (to.kind === "local" && (fromHost === undefined || cfg.hosts[fromHost]?.kind === "local")) return localHostAlias;
  return to.address;
}

/** The address a person or a client outside the containers uses. */
export function publicAddress(cfg: StackConfig, host: string): string {
  const h = cfg.hosts[host];
  if (!h) throw new Error(`unknown host ${host}`);
  return h.kind === "local" && h.address === "127.0.0.1" ? "localhost" : h.address;
}

/** Docker's --gpus value for a service on a host; undefined runs on CPU. */
export function gpuRequest(hostGpus: Gpus, wanted: Gpus | undefined): string | undefined {
  const g = wanted ?? hostGpus;
  if (g === "none" || hostGpus === "none") return undefined;
  return g === "all" ? "all" : `device=${g.join(",")}`;
}

/** Expands `~/` for local hosts; remote paths are already absolute (the schema says so). */
export function hostPath(host: HostConfig, path: string, homeDir: string): string {
  return path.startsWith("~/") ? `${homeDir.replace(/\/$/, "")}/${path.slice(2)}` : path;
}

export function extraHostsFor(host: HostConfig): { host: string; ip: string }[] {
  return host.kind === "local" ? [{ host: localHostAlias, ip: "host-gateway" }] : [];
}

export function sortedRecord(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
