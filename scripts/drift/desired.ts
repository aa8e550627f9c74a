// The desired state, rendered from a validated stack config by the program's own spec functions
// (infra/specs/stack.ts): the containers each host runs, the models each engine must have, the router
// config each router host receives. Pure: no engine, no state, no network.
import { createHash } from "node:crypto";
import type { HostConfig, StackConfig } from "../../infra/config/schema.js";
import { dockerDeviceRequest, dockerHostUrl, hostConfig, publicAddress } from "../../infra/specs/hosts.js";
import { stackLabels } from "../../infra/specs/labels.js";
import { declaredModels, sha256Hex } from "../../infra/specs/routerConfig.js";
import { stackSpec } from "../../infra/specs/stack.js";
import type { ContainerSpec } from "../../infra/specs/types.js";
import { secretEnvName } from "../plan/capture.js";
import { routerConfigUrn } from "./urn.js";
import type { DesiredContainer, DesiredHost, DesiredServed, DesiredState, EnvValue, Mount } from "./types.js";

/** The digest every env value is compared by (the same on both sides). */
export function envDigest(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** A value under a name that says secret (or that the stack holds as a secret) keeps only its digest. */
export function envValue(name: string, value: string, secret: boolean): EnvValue {
  return secret || secretEnvName.test(name) ? { sha256: envDigest(value) } : { sha256: envDigest(value), value };
}

function containerMounts(spec: ContainerSpec): Mount[] {
  return [
    ...spec.volumes.map((v) => ({ type: "volume" as const, source: v.volume, target: v.containerPath, readOnly: false })),
    ...spec.binds.map((b) => ({ type: "bind" as const, source: b.hostPath, target: b.containerPath, readOnly: b.readOnly })),
  ];
}

export interface DesiredOptions {
  project: string;
  /** The stack's name as in its URNs (`home`, not `org/home`). */
  stack: string;
  homeDir: string;
}

function desiredContainer(spec: ContainerSpec): DesiredContainer {
  const env: Record<string, EnvValue> = {};
  for (const [k, v] of Object.entries(spec.env)) env[k] = envValue(k, v, false);
  for (const [k, v] of Object.entries(spec.secretEnv)) env[k] = envValue(k, v, true);
  return {
    name: spec.name,
    owner: spec.owner,
    image: spec.image,
    ...(spec.build ? { built: true as const } : {}),
    ...(spec.command ? { command: spec.command } : {}),
    ...(spec.entrypoint ? { entrypoint: spec.entrypoint } : {}),
    env,
    ports: spec.ports.map((p) => ({ internal: p.internal, external: p.external })),
    mounts: containerMounts(spec),
    restart: spec.restart,
    ...(spec.gpus ? { gpus: gpuText(dockerDeviceRequest(spec.gpus)) } : {}),
  };
}

/**
 * The GPU request the container is given (its deviceRequests entry), written as `docker inspect` reads
 * back (inspect.ts): `all` for every GPU, `device=0,1` for a list.
 */
export function gpuText(r: { deviceIds?: string[]; count?: number }): string {
  return r.deviceIds?.length ? `device=${r.deviceIds.join(",")}` : r.count === -1 ? "all" : `count=${String(r.count)}`;
}

function sshOf(h: HostConfig): DesiredHost["ssh"] {
  return h.kind === "ssh" ? { user: h.user, address: h.address, port: h.sshPort } : undefined;
}

/** The model names a vLLM or llama.cpp server lists on /v1/models: the served name, the llama.cpp alias. */
function servedModels(cfg: StackConfig): (DesiredServed & { host: string })[] {
  return Object.entries(cfg.backends).flatMap(([name, b]): (DesiredServed & { host: string })[] => {
    const host = b.hosts[0] as string;
    const url = `http://${publicAddress(cfg, host)}:${b.port}`;
    if (b.engine === "vllm") {
      const container = b.vllm.cluster ? `${name}-head` : name;
      return [{ backend: name, engine: "vllm" as const, container, url, host, models: declaredModels(b) }];
    }
    if (b.engine === "llamacpp") return [{ backend: name, engine: "llamacpp" as const, container: name, url, host, models: declaredModels(b) }];
    return [];
  });
}

export function desiredState(cfg: StackConfig, o: DesiredOptions): DesiredState {
  const spec = stackSpec(cfg, o.homeDir);
  const served = servedModels(cfg);
  const hosts: DesiredHost[] = Object.keys(cfg.hosts)
    .sort()
    .map((name) => {
      const h = hostConfig(cfg, name) as HostConfig;
      const ssh = sshOf(h);
      return {
        name,
        docker: dockerHostUrl(h),
        ...(ssh ? { ssh } : {}),
        containers: spec.containers.filter((c) => c.host === name).map(desiredContainer),
        ollama: Object.entries(cfg.backends)
          .filter(([, b]) => b.engine === "ollama" && b.hosts[0] === name)
          .map(([backend, b]) => ({
            backend,
            container: backend,
            url: `http://${publicAddress(cfg, name)}:${b.port}`,
            models: declaredModels(b),
          })),
        served: served.filter((s) => s.host === name).map(({ host: _host, ...s }) => s),
        routers: spec.routerConfigs
          .filter((d) => d.host === name)
          .map((d) => ({
            container: `router-${name}`,
            url: spec.urls[`router-${name}`] ?? "",
            file: d.file,
            sha256: sha256Hex(d.content),
            urn: routerConfigUrn(o, name, h.kind === "local"),
          })),
      };
    })
    .filter((h) => h.containers.length > 0);
  return { stack: o.stack, labels: stackLabels(o.project, o.stack), hosts };
}
