// What the planning functions produce: plain data that components turn into resources.

export interface HealthCheckSpec {
  tests: string[];
  interval: string;
  timeout: string;
  /** Long enough for a cold model load; failures inside it do not count. */
  startPeriod: string;
  retries: number;
}

export interface ContainerSpec {
  /** Resource and container name, unique in the stack: `<service>-<part>`. */
  name: string;
  /** Which component owns it. */
  kind: "engine" | "openWebUI" | "kokoro" | "router";
  /** The component instance (backend name, "open-webui", "kokoro", "router"). */
  owner: string;
  host: string;
  image: string;
  command?: string[];
  entrypoint?: string[];
  /** Sorted by name. */
  env: Record<string, string>;
  /** Secret values (plain here so plans are testable; components wrap them as Pulumi secrets). Sorted. */
  secretEnv: Record<string, string>;
  ports: { internal: number; external: number }[];
  networkMode?: "host";
  ipcMode?: "host";
  /** Named volumes (created per host) for model caches and app data. */
  volumes: { volume: string; containerPath: string }[];
  binds: { hostPath: string; containerPath: string; readOnly: boolean }[];
  /** `all` or `device=0,1`; absent = CPU only. */
  gpus?: string;
  /** Extra /etc/hosts entries, e.g. host.docker.internal on the local host. */
  extraHosts: { host: string; ip: string }[];
  healthcheck: HealthCheckSpec;
  restart: "unless-stopped";
}

export interface ServiceUrl {
  service: string;
  url: string;
}
