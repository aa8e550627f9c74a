// The router container. Its config file is NOT part of the container's inputs: it lives in a host
// directory mounted read-only and is delivered by a separate resource, so repointing an alias never
// replaces the container (the router hot-reloads the file).
import { DEFAULT_DRAIN_MS } from "../../router/config/schema.js";
import type { HostConfig, StackConfig } from "../config/schema.js";
import { extraHostsFor, hostPath, hostConfig } from "./hosts.js";
import type { ContainerSpec, ImageBuildSpec } from "./types.js";

const routerConfigMount = "/etc/aistack";
/** The tag a router host's own build gets when `router.image` names no published image. */
const builtRouterImage = "aistack-router:local";

/** router/Dockerfile built on the router host, from the repository root; its NODE_IMAGE arg is `router.baseImage`. */
function routerImageBuild(cfg: StackConfig, host: HostConfig): ImageBuildSpec | undefined {
  if (cfg.router.image) return undefined;
  return {
    context: ".",
    dockerfile: "router/Dockerfile",
    args: cfg.router.baseImage ? { NODE_IMAGE: cfg.router.baseImage } : {},
    platform: `linux/${host.arch}`,
  };
}
export const routerConfigFileName = "router.json";

/** Beyond drainMs: the router's own exit after the drain, and a slow host. */
const stopMarginSeconds = 10;

/**
 * How long the router container gets to stop: its drain (SIGTERM makes it finish the requests in flight
 * for up to drainMs) plus a margin. Docker's default of 10 s would kill it in the middle of the drain.
 */
function routerStopGraceSeconds(cfg: StackConfig): number {
  return Math.ceil((cfg.router.drainMs ?? DEFAULT_DRAIN_MS) / 1000) + stopMarginSeconds;
}

export function routerConfigDir(cfg: StackConfig, host: string, homeDir: string): string {
  const h = hostConfig(cfg, host);
  if (!h) throw new Error(`unknown host ${host}`);
  return `${hostPath(h, h.dataDir, homeDir).replace(/\/$/, "")}/router`;
}

export function routerSpecs(cfg: StackConfig, homeDir: string): ContainerSpec[] {
  const port = cfg.router.port;
  return cfg.router.hosts.flatMap((hostName) => {
    const host = hostConfig(cfg, hostName);
    if (!host) return [];
    const build = routerImageBuild(cfg, host);
    return [
      {
        name: `router-${hostName}`,
        kind: "router" as const,
        owner: "router",
        host: hostName,
        image: cfg.router.image ?? builtRouterImage,
        ...(build ? { build } : {}),
        // Arguments to the image's ENTRYPOINT (`node dist/router/main.js`, router/Dockerfile); listen
        // address and port come from the delivered config.
        command: ["--config", `${routerConfigMount}/${routerConfigFileName}`],
        env: { NODE_ENV: "production" },
        secretEnv: {},
        ports: [{ internal: port, external: port }],
        volumes: [],
        binds: [{ hostPath: routerConfigDir(cfg, hostName, homeDir), containerPath: routerConfigMount, readOnly: true }],
        extraHosts: extraHostsFor(host),
        healthcheck: {
          tests: ["CMD", "node", "-e", `fetch('http://127.0.0.1:${port}/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`],
          interval: "15s",
          timeout: "5s",
          startPeriod: "20s",
          retries: 3,
        },
        restart: "unless-stopped" as const,
        stopGraceSeconds: routerStopGraceSeconds(cfg),
      },
    ];
  });
}
