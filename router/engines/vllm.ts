// vLLM: GET /health is 200 once the engine is ready; GET /v1/models lists served names, each with
// `max_model_len` (vllm/entrypoints/openai/protocol.py, ModelCard). Served models are always loaded.
import { isAuthFailure, misconfigured, parseOpenAIModelList, type EngineAdapter, type ProbeIO, type ProbeReport } from "./types.js";

export const vllmAdapter: EngineAdapter = {
  engine: "vllm",
  servedMeansLoaded: true,
  async probe(io: ProbeIO): Promise<ProbeReport> {
    const health = await io.get("/health");
    if (isAuthFailure(health.status)) return misconfigured("/health", health.status);
    if (health.status !== 200) return { health: "down", detail: `/health answered ${health.status}`, models: undefined };
    const models = await io.get("/v1/models");
    if (isAuthFailure(models.status)) return misconfigured("/v1/models", models.status);
    if (models.status !== 200) return { health: "up", detail: `/v1/models answered ${models.status}`, models: undefined };
    return { health: "up", detail: "ok", models: parseOpenAIModelList(models.json, true) };
  },
};
