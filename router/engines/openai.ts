// A generic OpenAI-compatible server: GET /v1/models is the only probe every such server has.
import { isAuthFailure, misconfigured, parseOpenAIModelList, type EngineAdapter, type ProbeIO, type ProbeReport } from "./types.js";

export const openaiAdapter: EngineAdapter = {
  engine: "openai",
  servedMeansLoaded: true,
  async probe(io: ProbeIO): Promise<ProbeReport> {
    const models = await io.get("/v1/models");
    if (isAuthFailure(models.status)) return misconfigured("/v1/models", models.status);
    if (models.status !== 200) return { health: "down", detail: `/v1/models answered ${models.status}`, models: undefined };
    return { health: "up", detail: "ok", models: parseOpenAIModelList(models.json, true) };
  },
};
