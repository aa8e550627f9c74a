// llama.cpp server: one container, one model.
// Flags per llama.cpp's tools/server/README: -m/-hf, -c (context), -ngl (GPU layers), -np (slots), --alias.
// GET /health answers 503 while the model loads and 200 once ready (same README).
import type { StackConfig } from "../config/schema.js";
import { singleHostEngine } from "./hosts.js";
import type { ContainerSpec } from "./types.js";

type LlamacppBackend = Extract<StackConfig["backends"][string], { engine: "llamacpp" }>;

const containerPort = 8080;

function llamacppArgs(b: LlamacppBackend): string[] {
  const s = b.llamacpp;
  const model = s.modelPath !== undefined ? ["-m", s.modelPath] : ["-hf", s.hfRepo ?? ""];
  return [
    ...model,
    "--host",
    "0.0.0.0",
    "--port",
    String(containerPort),
    "--alias",
    s.alias,
    "-c",
    String(s.contextSize),
    "-ngl",
    String(s.gpuLayers),
    "-np",
    String(s.parallel),
    ...s.extraArgs,
  ];
}

export function llamacppSpecs(cfg: StackConfig, name: string, b: LlamacppBackend): ContainerSpec[] {
  return singleHostEngine(cfg, name, b, {
    command: llamacppArgs(b),
    env: {},
    secretEnv: cfg.secrets.hfToken && b.llamacpp.hfRepo ? { HF_TOKEN: cfg.secrets.hfToken } : {},
    ports: [{ internal: containerPort, external: b.port }],
    volumes: [
      { volume: `${name}-models`, containerPath: "/models" },
      { volume: `${name}-cache`, containerPath: "/root/.cache/llama.cpp" },
    ],
    healthcheck: {
      tests: ["CMD", "curl", "-fsS", `http://127.0.0.1:${containerPort}/health`],
      interval: "30s",
      timeout: "10s",
      startPeriod: "10m0s",
      retries: 5,
    },
  });
}
