// Ollama (docs.ollama.com/api): GET /api/version answers when the server is up; GET /api/tags lists
// installed models; GET /api/ps lists loaded ones with `expires_at` (and `context_length` in newer
// versions); POST /api/show gives `model_info["<arch>.context_length"]` and a `parameters` text that may
// set num_ctx. A model not in /api/ps loads on first use (tens of seconds), so it is installed, not loaded.
import { field, isAuthFailure, list, misconfigured, positiveInt, type EngineAdapter, type ModelState, type ProbeIO, type ProbeReport } from "./types.js";

export function parseOllamaTags(json: unknown): Set<string> {
  const out = new Set<string>();
  for (const m of list(field(json, "models"))) {
    for (const key of ["name", "model"]) {
      const v = field(m, key);
      if (typeof v === "string") out.add(v);
    }
  }
  return out;
}

interface LoadedModel {
  name: string;
  expiresAt: number | undefined;
  contextLength: number | undefined;
}

function parseOllamaPs(json: unknown): LoadedModel[] {
  const out: LoadedModel[] = [];
  for (const m of list(field(json, "models"))) {
    const name = field(m, "model") ?? field(m, "name");
    if (typeof name !== "string") continue;
    const exp = field(m, "expires_at");
    const t = typeof exp === "string" ? Date.parse(exp) : NaN;
    out.push({ name, expiresAt: Number.isFinite(t) ? t : undefined, contextLength: positiveInt(field(m, "context_length")) });
  }
  return out;
}

/** From /api/show: the configured num_ctx, and the trained maximum. */
function parseOllamaShow(json: unknown): { numCtx: number | undefined; trained: number | undefined } {
  let trained: number | undefined;
  const info = field(json, "model_info");
  if (typeof info === "object" && info !== null) {
    for (const [k, v] of Object.entries(info)) {
      if (k.endsWith(".context_length")) trained = positiveInt(v) ?? trained;
    }
  }
  let numCtx: number | undefined;
  const params = field(json, "parameters");
  if (typeof params === "string") {
    for (const line of params.split("\n")) {
      const parts = line.trim().split(/\s+/);
      if (parts[0] === "num_ctx") numCtx = positiveInt(Number(parts[1]));
    }
  }
  return { numCtx, trained };
}

/** Ollama names without a tag mean ":latest". */
export function ollamaName(name: string): string {
  return name.includes(":") ? name : `${name}:latest`;
}

export const ollamaAdapter: EngineAdapter = {
  engine: "ollama",
  servedMeansLoaded: false,
  async probe(io: ProbeIO, wanted: readonly string[], previous: Map<string, ModelState> | undefined): Promise<ProbeReport> {
    const version = await io.get("/api/version");
    if (isAuthFailure(version.status)) return misconfigured("/api/version", version.status);
    if (version.status !== 200) return { health: "down", detail: `/api/version answered ${version.status}`, models: undefined };
    const v = field(version.json, "version");
    const base = { health: "up" as const, ...(typeof v === "string" ? { version: v } : {}) };

    const tags = await io.get("/api/tags");
    if (isAuthFailure(tags.status)) return misconfigured("/api/tags", tags.status);
    const ps = await io.get("/api/ps");
    if (tags.status !== 200 || ps.status !== 200) return { ...base, detail: "model lists unavailable", models: undefined };

    const installed = parseOllamaTags(tags.json);
    const loaded = new Map(parseOllamaPs(ps.json).map((m) => [ollamaName(m.name), m]));
    const models = new Map<string, ModelState>();
    for (const name of installed) {
      const l = loaded.get(ollamaName(name));
      models.set(name, { installed: true, loaded: l !== undefined, ...(l?.expiresAt !== undefined ? { expiresAt: l.expiresAt } : {}) });
    }
    for (const name of wanted) {
      const key = [...models.keys()].find((k) => ollamaName(k) === ollamaName(name));
      const state = key !== undefined ? models.get(key) : undefined;
      if (state === undefined) {
        models.set(name, { installed: false, loaded: false });
        continue;
      }
      if (key !== name) models.set(name, state);
      const l = loaded.get(ollamaName(name));
      const prev = previous?.get(name);
      let numCtx = prev?.contextLength;
      let trained = prev?.trainedContextLength;
      if (trained === undefined) {
        // Asked once per model: /api/show reads the model's metadata but does not load it.
        const show = await io.post("/api/show", { model: name });
        if (show.status === 200) ({ numCtx, trained } = parseOllamaShow(show.json));
      }
      const ctx = l?.contextLength ?? numCtx;
      if (ctx !== undefined) state.contextLength = ctx;
      if (trained !== undefined) state.trainedContextLength = trained;
    }
    return { ...base, detail: `${loaded.size} loaded`, models };
  },
};
