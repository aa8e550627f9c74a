// What the spec functions produce: plain data that components turn into resources.

/** Durations in Go's canonical form (`30s`, `1m0s`, `3m0s`): the Docker provider stores them so (see duration.ts). */
export interface HealthCheckSpec {
  tests: string[];
  interval: string;
  timeout: string;
  /** Long enough for a cold model load; failures inside it do not count. */
  startPeriod: string;
  retries: number;
}

/** An image built on the container's host from a Dockerfile in this repository (instead of pulled). */
export interface ImageBuildSpec {
  /** The build context relative to the project root, and the Dockerfile relative to the context. */
  context: string;
  dockerfile: string;
  /** Build-time arguments (e.g. the base image). */
  args: Record<string, string>;
  /** `linux/<arch>` of the host. */
  platform: string;
}

export interface ContainerSpec {
  /** Resource and container name, unique in the stack: `<service>-<part>`. */
  name: string;
  /** Which component owns it. */
  kind: "engine" | "openWebUI" | "kokoro" | "router";
  /** The component instance (backend name, "open-webui", "kokoro", "router"). */
  owner: string;
  host: string;
  /** The image to pull, or the tag of the image built on the host when `build` is set. */
  image: string;
  build?: ImageBuildSpec;
  command?: string[];
  entrypoint?: string[];
  /** Sorted by name. */
  env: Record<string, string>;
  /** Secret values (plain here so specs are testable; components wrap them as Pulumi secrets). Sorted. */
  secretEnv: Record<string, string>;
  ports: { internal: number; external: number }[];
  networkMode?: "host";
  ipcMode?: "host";
  /** Named volumes (created per host) for model caches and app data. */
  volumes: { volume: string; containerPath: string }[];
  binds: { hostPath: string; containerPath: string; readOnly: boolean }[];
  /** `all` or `"device=0,1"` (Docker's --gpus value, a CSV record); absent = CPU only. */
  gpus?: string;
  /** Extra /etc/hosts entries, e.g. host.docker.internal on the local host. */
  extraHosts: { host: string; ip: string }[];
  healthcheck: HealthCheckSpec;
  restart: "unless-stopped";
  /**
   * Seconds between SIGTERM and SIGKILL when the container is stopped (`docker stop`, the daemon
   * shutting down) or replaced/deleted by `pulumi up`; absent: Docker's 10 s and an immediate removal.
   */
  stopGraceSeconds?: number;
}
