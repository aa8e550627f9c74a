// Addresses and Docker endpoints of hosts.
import type { Gpus, HostConfig, StackConfig } from "../config/schema.js";
import type { ContainerSpec } from "./types.js";

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
const localHostAlias = "host.docker.internal";

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

/**
 * Docker's --gpus value for a service on a host (as `docker run --gpus` takes it); undefined runs on CPU.
 * Docker reads the value as one CSV record (docker/cli opts/gpus.go), so a device list is quoted:
 * unquoted, `device=0,1` is the two fields `device=0` and `1` (a count). Containers get the request as
 * structured deviceRequests (dockerDeviceRequest), never as this string: see there why.
 */
export function gpuRequest(hostGpus: Gpus, wanted: Gpus | undefined): string | undefined {
  const g = wanted ?? hostGpus;
  if (g === "none" || hostGpus === "none") return undefined;
  return g === "all" ? "all" : `"device=${g.join(",")}"`;
}

export interface DockerDeviceRequest {
  driver: "nvidia";
  capabilities: string[];
  count?: number;
  deviceIds?: string[];
}

/**
 * The Docker provider's deviceRequests entry for a gpuRequest value. Not its `gpus` string: the provider
 * strips the quotes of `"device=0,1"` before Docker's CSV parser reads it, so Docker sees a device and a
 * count and refuses the container ("cannot set both Count and DeviceIDs on device request", seen by npm
 * run e2e:lab on the home stack's unraid host; test/infra/specs/gpus.test.ts).
 */
export function dockerDeviceRequest(gpus: string): DockerDeviceRequest {
  if (gpus === "all") return { driver: "nvidia", count: -1, capabilities: ["gpu"] };
  const m = /^"?device=([^"]+)"?$/.exec(gpus);
  if (!m?.[1]) throw new Error(`not a GPU request: ${gpus}`);
  return { driver: "nvidia", deviceIds: m[1].split(","), capabilities: ["gpu"] };
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

/** What differs between the engine containers of single-host backends (Ollama, llama.cpp). */
export type EngineParts = Pick<ContainerSpec, "env" | "secretEnv" | "ports" | "volumes" | "healthcheck"> & Pick<Partial<ContainerSpec>, "command">;

/** A single-host backend's engine container on its one host (none while that host is unknown). */
export function singleHostEngine(
  cfg: StackConfig,
  name: string,
  b: { hosts: string[]; image: string; gpus?: Gpus | undefined },
  parts: EngineParts,
): ContainerSpec[] {
  const hostName = b.hosts[0] as string;
  const host = hostConfig(cfg, hostName);
  if (!host) return [];
  const { command, env, secretEnv, ports, volumes, healthcheck } = parts;
  return [
    {
      name,
      kind: "engine",
      owner: name,
      host: hostName,
      image: b.image,
      ...(command ? { command } : {}),
      env,
      secretEnv,
      ports,
      volumes,
      binds: [],
      gpus: gpuRequest(host.gpus, b.gpus),
      extraHosts: extraHostsFor(host),
      healthcheck,
      restart: "unless-stopped",
    },
  ];
}
