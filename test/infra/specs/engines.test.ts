// The engine container of a single-host backend, in full: llama.cpp (with a Hugging Face model and token)
// and Ollama on the local stack's one CPU host.
import { describe, expect, it } from "vitest";
import { validateStackConfig } from "../../../infra/config/load.js";
import type { StackConfig } from "../../../infra/config/schema.js";
import { llamacppSpecs } from "../../../infra/specs/llamacpp.js";
import { ollamaSpecs } from "../../../infra/specs/ollama.js";
import { readStackFile, withSecrets } from "../harness.js";

function localWithLlamacpp(): StackConfig {
  const values = withSecrets(readStackFile("local"));
  const backends = {
    ...(values.backends as object),
    tiny: {
      engine: "llamacpp",
      hosts: ["local"],
      port: 8081,
      image: "ghcr.io/ggml-org/llama.cpp:server-b6000",
      llamacpp: { hfRepo: "org/tiny-gguf", alias: "tiny" },
    },
  };
  const r = validateStackConfig({ values: { ...values, backends }, secretKeys: new Set(["secrets"]) });
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join("; "));
  return r.config;
}

const common = {
  kind: "engine",
  host: "local",
  binds: [],
  gpus: undefined,
  extraHosts: [{ host: "host.docker.internal", ip: "host-gateway" }],
  restart: "unless-stopped",
};

describe("single-host engine containers", () => {
  it("llama.cpp: its server flags, model and cache volumes, the HF token, a health check on /health", () => {
    const cfg = localWithLlamacpp();
    const b = cfg.backends.tiny;
    if (b?.engine !== "llamacpp") throw new Error("no llama.cpp backend");
    expect(llamacppSpecs(cfg, "tiny", b)).toEqual([
      {
        ...common,
        name: "tiny",
        owner: "tiny",
        image: "ghcr.io/ggml-org/llama.cpp:server-b6000",
        command: [
          "-hf",
          "org/tiny-gguf",
          "--host",
          "0.0.0.0",
          "--port",
          "8080",
          "--alias",
          "tiny",
          "-c",
          expect.any(String),
          "-ngl",
          expect.any(String),
          "-np",
          expect.any(String),
        ],
        env: {},
        secretEnv: { HF_TOKEN: "hf_test_token_0000000000" },
        ports: [{ internal: 8080, external: 8081 }],
        volumes: [
          { volume: "tiny-models", containerPath: "/models" },
          { volume: "tiny-cache", containerPath: "/root/.cache/llama.cpp" },
        ],
        healthcheck: { tests: ["CMD", "curl", "-fsS", "http://127.0.0.1:8080/health"], interval: "30s", timeout: "10s", startPeriod: "10m0s", retries: 5 },
      },
    ]);
  });

  it("Ollama: no command, its model volume, `ollama list` as the health check", () => {
    const cfg = localWithLlamacpp();
    const b = cfg.backends["local-ollama"];
    if (b?.engine !== "ollama") throw new Error("no Ollama backend");
    const [spec] = ollamaSpecs(cfg, "local-ollama", b);
    expect(spec).toEqual({
      ...common,
      name: "local-ollama",
      owner: "local-ollama",
      image: "ollama/ollama:0.12.6",
      env: expect.objectContaining({ OLLAMA_HOST: "0.0.0.0:11434" }) as Record<string, string>,
      secretEnv: {},
      ports: [{ internal: 11434, external: 11434 }],
      volumes: [{ volume: "local-ollama-models", containerPath: "/root/.ollama" }],
      healthcheck: { tests: ["CMD", "ollama", "list"], interval: "30s", timeout: "10s", startPeriod: "1m0s", retries: 5 },
    });
    expect(spec && "command" in spec).toBe(false);
  });

  it("none while the backend's host is unknown", () => {
    const cfg = localWithLlamacpp();
    const b = cfg.backends["local-ollama"];
    if (b?.engine !== "ollama") throw new Error("no Ollama backend");
    expect(ollamaSpecs(cfg, "x", { ...b, hosts: ["nas"] })).toEqual([]);
  });
});
