// The program: validate, derive the specs (infra/specs/), then hand each part to its component.
import { homedir } from "node:os";
import type { RouterConfigInput } from "../router/config/schema.js";
import type { StackConfig } from "./config/schema.js";
import { DockerHosts } from "./components/dockerHosts.js";
import { TraefikIngress } from "./components/ingress.js";
import { RouterDeployment } from "./components/router.js";
import { InferenceBackend, Kokoro, OpenWebUI } from "./components/services.js";
import { stackSpec } from "./specs/stack.js";

export interface StackOutputs {
  /** The router config per router host (the alias table the routers hot-reload). */
  routerConfigs: Record<string, RouterConfigInput>;
  urls: Record<string, string>;
  routerUrls: string[];
}

export function buildStack(cfg: StackConfig, homeDir = homedir()): StackOutputs {
  const spec = stackSpec(cfg, homeDir);
  const hosts = new DockerHosts("hosts", { hosts: cfg.hosts, used: spec.containers.map((c) => c.host) });
  const byOwner = (kind: string, owner: string) => spec.containers.filter((c) => c.kind === kind && c.owner === owner);

  for (const name of Object.keys(cfg.backends)) {
    new InferenceBackend(name, { containers: byOwner("engine", name), hosts, pulls: spec.modelPulls.filter((p) => p.backend === name) });
  }
  if (cfg.openWebUI) new OpenWebUI("open-webui", { containers: byOwner("openWebUI", "open-webui"), hosts });
  if (cfg.kokoro) new Kokoro("kokoro", { containers: byOwner("kokoro", "kokoro"), hosts });
  const router = new RouterDeployment("router", {
    containers: byOwner("router", "router"),
    deliveries: spec.routerConfigs,
    providers: hosts,
  });
  if (spec.ingress) {
    new TraefikIngress("ingress", {
      spec: spec.ingress,
      ...(cfg.secrets.kubeconfig ? { kubeconfig: cfg.secrets.kubeconfig } : {}),
      ...(cfg.ingress.context ? { context: cfg.ingress.context } : {}),
    });
  }
  const routerUrls = cfg.router.hosts.map((h) => spec.urls[`router-${h}`] ?? "");
  return { routerConfigs: router.configs, urls: spec.urls, routerUrls };
}
