// Addresses and Docker endpoints of hosts.
import type { Gpus, HostConfig, StackConfig } from "../config/schema.js";

/**
 * A record's own entry. Names such as "constructor" or "toString" are valid names, and `name in record`
 * or `record[name]` would find Object.prototype's members under them: an unknown host or backend of
 * that name would pass as known.
 */
export function own<T>(record: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

/** A declared host by name; undefined for any other name. */
export function hostConfig(cfg: StackConfig, name: string): HostConfig | undefined {
  return own(cfg.hosts, name);
}

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
  const to = hostConfig(cfg, toHost);
  if (!to) throw new Error(`unknown host ${toHost}`);
  if (to.kind === "local" && (fromHost === undefined || hostConfig(cfg, fromHost)?.kind === "local")) return localHostAlias;
  return to.address;
}

/** The address a person or a client outside the containers uses. */
export function publicAddress(cfg: StackConfig, host: string): string {
  const h = hostConfig(cfg, host);
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
