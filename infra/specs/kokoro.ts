// Kokoro TTS (Kokoro-FastAPI): OpenAI-compatible /v1/audio/speech on port 8880, GET /health when up
// (remsky/Kokoro-FastAPI README and api/src/main.py).
import type { StackConfig } from "../config/schema.js";
import { extraHostsFor, gpuRequest, hostConfig } from "./hosts.js";
import type { ContainerSpec } from "./types.js";

const kokoroContainerPort = 8880;

export function kokoroSpecs(cfg: StackConfig): ContainerSpec[] {
  const k = cfg.kokoro;
  const host = k ? hostConfig(cfg, k.host) : undefined;
  if (!k || !host) return [];
  return [
    {
      name: "kokoro",
      kind: "kokoro",
      owner: "kokoro",
      host: k.host,
      image: k.image,
      env: {},
      secretEnv: {},
      ports: [{ internal: kokoroContainerPort, external: k.port }],
      volumes: [],
      binds: [],
      gpus: k.gpu ? gpuRequest(host.gpus, undefined) : undefined,
      extraHosts: extraHostsFor(host),
      healthcheck: {
        tests: ["CMD", "python3", "-c", `import urllib.request; urllib.request.urlopen('http://127.0.0.1:${kokoroContainerPort}/health', timeout=5)`],
        interval: "30s",
        timeout: "10s",
        startPeriod: "5m0s",
        retries: 5,
      },
      restart: "unless-stopped",
    },
  ];
}
