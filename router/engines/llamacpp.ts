// llama.cpp server (tools/server/README.md, "GET /health"): 200 {"status":"ok"} when ready, 503
// "Loading model" while the model loads — warming, not down. /v1/models answers even while loading;
// GET /props reports the context size (n_ctx, also under default_generation_settings).
import { field, isAuthFailure, misconfigured, parseOpenAIModelList, positiveInt, type EngineAdapter, type ProbeIO, type ProbeReport } from "./types.js";

function llamacppContext(props: unknown): number | undefined {
  return positiveInt(field(field(props, "default_generation_settings"), "n_ctx")) ?? positiveInt(field(props, "n_ctx"));
}

export const llamacppAdapter: EngineAdapter = {
  engine: "llamacpp",
  servedMeansLoaded: true,
  async probe(io: ProbeIO): Promise<ProbeReport> {
    const health = await io.get("/health");
    if (isAuthFailure(health.status)) return misconfigured("/health", health.status);
    if (health.status === 503) return { health: "warming", detail: "loading model", models: undefined };
    if (health.status !== 200) return { health: "down", detail: `/health answered ${health.status}`, models: undefined };
    const models = await io.get("/v1/models");
    if (isAuthFailure(models.status)) return misconfigured("/v1/models", models.status);
    const served = models.status === 200 ? parseOpenAIModelList(models.json, true) : undefined;
    if (served) {
      const props = await io.get("/props");
      const ctx = props.status === 200 ? llamacppContext(props.json) : undefined;
      // One llama-server serves one model: its n_ctx applies to every name it lists.
      if (ctx !== undefined) for (const m of served.values()) m.contextLength ??= ctx;
    }
    return { health: "up", detail: "ok", models: served };
  },
};
