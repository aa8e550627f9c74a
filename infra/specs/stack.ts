// The whole stack's specs: every container on every host, the router config per router host, the ingress.
import type { RouterConfigInput } from "../../router/config/schema.js";
import type { StackConfig } from "../config/schema.js";
import { ingressSpec, type IngressSpec } from "./ingress.js";
import { kokoroSpecs } from "./kokoro.js";
import { llamacppSpecs } from "./llamacpp.js";
import { modelPullSpecs, ollamaSpecs, type ModelPull } from "./ollama.js";
import { openWebUIUrl, openWebUISpecs } from "./openWebUI.js";
import { routerSpecs, routerConfigDir, routerConfigFileName } from "./router.js";
import { publicAddress } from "./hosts.js";
import { renderRouterConfig, routerConfigFile } from "./routerConfig.js";
import type { ContainerSpec } from "./types.js";
import { vllmSpecs } from "./vllm.js";

export interface RouterConfigDelivery {
  host: string;
  dir: string;
  file: string;
  config: RouterConfigInput;
  content: string;
}

export interface StackSpec {
  containers: ContainerSpec[];
  routerConfigs: RouterConfigDelivery[];
  /** Every model listed under an Ollama backend, made present on its host after the engine starts. */
  modelPulls: ModelPull[];
  ingress?: IngressSpec;
  urls: Record<string, string>;
}

export function engineSpecs(cfg: StackConfig): ContainerSpec[] {
  return Object.entries(cfg.backends).flatMap(([name, b]) => {
    switch (b.engine) {
      case "ollama":
        return ollamaSpecs(cfg, name, b);
      case "vllm":
        return vllmSpecs(cfg, name, b);
      case "llamacpp":
        return llamacppSpecs(cfg, name, b);
    }
  });
}

export function stackSpec(cfg: StackConfig, homeDir: string): StackSpec {
  const containers = [...engineSpecs(cfg), ...openWebUISpecs(cfg), ...kokoroSpecs(cfg), ...routerSpecs(cfg, homeDir)];
  const routerConfigs = cfg.router.hosts.map((host) => {
    const config = renderRouterConfig(cfg, host);
    const dir = routerConfigDir(cfg, host, homeDir);
    return { host, dir, file: `${dir}/${routerConfigFileName}`, config, content: routerConfigFile(config) };
  });
  const urls: Record<string, string> = {};
  for (const [name, b] of Object.entries(cfg.backends)) urls[name] = `http://${publicAddress(cfg, b.hosts[0] as string)}:${b.port}`;
  if (cfg.openWebUI) urls["open-webui"] = `http://${publicAddress(cfg, cfg.openWebUI.host)}:${cfg.openWebUI.port}`;
  if (cfg.kokoro) urls.kokoro = `http://${publicAddress(cfg, cfg.kokoro.host)}:${cfg.kokoro.port}`;
  for (const h of cfg.router.hosts) urls[`router-${h}`] = `http://${publicAddress(cfg, h)}:${cfg.router.port}`;
  const ingress = ingressSpec(cfg);
  if (ingress && cfg.ingress.domain) urls.public = openWebUIUrl(cfg);
  return { containers, routerConfigs, modelPulls: modelPullSpecs(cfg), ...(ingress ? { ingress } : {}), urls };
}
