// Ollama: one container per backend, models cached in a named volume.
import type { StackConfig } from "../config/schema.js";
import { extraHostsFor, gpuRequest, sortedRecord } from "./hosts.js";
import type { ContainerSpec } from "./types.js";

type OllamaBackend = Extract<StackConfig["backends"][string], { engine: "ollama" }>;

/** The container port is the one OLLAMA_HOST binds (default 11434, per Ollama's FAQ on OLLAMA_HOST). */
export function ollamaContainerPort(settings: OllamaBackend["ollama"]): number {
  const m = /:(\d+)$/.exec(settings.host);
  return m?.[1] ? Number(m[1]) : 11434;
}

export function ollamaEnv(settings: OllamaBackend["ollama"]): Record<string, string> {
  // Variable names as documented in Ollama's FAQ / envconfig (OLLAMA_* server settings).
  return sortedRecord({
    OLLAMA_CONTEXT_LENGTH: String(settings.contextLength),
    OLLAMA_FLASH_ATTENTION: settings.flashAttention ? "1" : "0",
    OLLAMA_HOST: settings.host,
    OLLAMA_KEEP_ALIVE: settings.keepAlive,
    OLLAMA_MAX_LOADED_MODELS: String(settings.maxLoadedModels),
    OLLAMA_NUM_PARALLEL: String(settings.numParallel),
    OLLAMA_SCHED_SPREAD: settings.schedSpread ? "1" : "0",
  });
}

export function planOllama(cfg: StackConfig, name: string, b: OllamaBackend): ContainerSpec[] {
  const hostName = b.hosts[0] as string;
  const host = cfg.hosts[hostName];
  if (!host) return [];
  const containerPort = ollamaContainerPort(b.ollama);
  return [
    {
      name,
      kind: "engine",
      owner: name,
      host: hostName,
      image: b.image,
      env: ollamaEnv(b.ollama),
      secretEnv: {},
      ports: [{ internal: containerPort, external: b.port }],
      volumes: [{ volume: `${name}-models`, containerPath: "/root/.ollama" }],
      binds: [],
      gpus: gpuRequest(host.gpus, b.gpus),
      extraHosts: extraHostsFor(host),
      // `ollama list` asks the running server (GET /api/tags) and never loads a model.
      healthcheck: { tests: ["CMD", "ollama", "list"], interval: "30s", timeout: "10s", startPeriod: "60s", retries: 5 },
      restart: "unless-stopped",
    },
  ];
}
