// Ollama: one container per backend, models cached in a named volume.
import type { StackConfig } from "../config/schema.js";
import { singleHostEngine, sortedRecord } from "./hosts.js";
import { shellWord } from "./shell.js";
import type { ContainerSpec } from "./types.js";

type OllamaBackend = Extract<StackConfig["backends"][string], { engine: "ollama" }>;

/** The container port is the one OLLAMA_HOST binds (default 11434, per Ollama's FAQ on OLLAMA_HOST). */
function ollamaContainerPort(settings: OllamaBackend["ollama"]): number {
  const m = /:(\d+)$/.exec(settings.host);
  return m?.[1] ? Number(m[1]) : 11434;
}

function ollamaEnv(settings: OllamaBackend["ollama"]): Record<string, string> {
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

export function ollamaSpecs(cfg: StackConfig, name: string, b: OllamaBackend): ContainerSpec[] {
  const containerPort = ollamaContainerPort(b.ollama);
  return singleHostEngine(cfg, name, b, {
    env: ollamaEnv(b.ollama),
    secretEnv: {},
    ports: [{ internal: containerPort, external: b.port }],
    volumes: [{ volume: `${name}-models`, containerPath: "/root/.ollama" }],
    // `ollama list` asks the running server (GET /api/tags) and never loads a model.
    healthcheck: { tests: ["CMD", "ollama", "list"], interval: "30s", timeout: "10s", startPeriod: "1m0s", retries: 5 },
  });
}

/** One model an Ollama backend must have: pulled on its host into the engine's model volume. */
export interface ModelPull {
  /** Resource name: `<backend>-model-<model>`, so removing one model renames no other. */
  name: string;
  backend: string;
  host: string;
  /** The engine container the pull runs in (`docker exec`). */
  container: string;
  model: string;
}

export function modelPullSpecs(cfg: StackConfig): ModelPull[] {
  return Object.entries(cfg.backends).flatMap(([name, b]) =>
    b.engine === "ollama" && b.hosts[0] !== undefined
      ? b.models.map((model) => ({ name: `${name}-model-${model}`, backend: name, host: b.hosts[0] as string, container: name, model }))
      : [],
  );
}

/** How long a pull waits for the engine to answer after its container (re)starts. */
const engineWaitSeconds = 120;

/**
 * The host-side script that makes one model present. It talks to the engine through its own CLI inside
 * the running container (`ollama list`, `show`, `pull` use the server's API: Ollama's docs/api.md), so it
 * needs nothing on the host but Docker. A model already present is left alone (no registry is asked), so
 * a host without registry access works with models put there beforehand (`ollama create`, a copied
 * volume). Pull progress goes to a temp file and only its tail is shown on failure.
 */
export function modelPullScript(pull: ModelPull): string {
  const c = shellWord(pull.container);
  const m = shellWord(pull.model);
  return [
    "set -u",
    `i=0; until docker exec ${c} ollama list >/dev/null 2>&1; do i=$((i+1)); if [ "$i" -ge ${engineWaitSeconds} ]; then echo "the engine in ${pull.container} did not answer within ${engineWaitSeconds}s" >&2; exit 1; fi; sleep 1; done`,
    `if docker exec ${c} ollama show ${m} >/dev/null 2>&1; then echo present: ${m}; exit 0; fi`,
    `log=$(mktemp); if docker exec ${c} ollama pull ${m} >"$log" 2>&1; then rm -f "$log"; echo pulled: ${m}; else tail -n 20 "$log" >&2; rm -f "$log"; exit 1; fi`,
  ].join("\n");
}
