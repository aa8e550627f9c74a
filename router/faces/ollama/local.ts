// The Ollama routes the router answers itself: the alias table seen as an Ollama model list.
// Shapes follow docs/api.md: /api/version {version}; /api/tags {models:[{name, model, modified_at,
// size, digest, details}]}; /api/ps adds expires_at and size_vram; /api/show {details, model_info,
// parameters, template, capabilities}.
import { createHash } from "node:crypto";
import { invalidModel, notSupported, ollamaModelNotFound, type RouterError } from "../../errors.js";
import type { AliasView } from "../../aliases/views.js";
import { isJsonObject, type JsonObject, type Rendered } from "../types.js";
import { renderOllamaError } from "./errors.js";

/** The Ollama API level this face follows (what clients feature-detect on). */
const OLLAMA_API_VERSION = "0.14.0";

/** When the router started: aliases have no file dates, this stands in for modified_at. */
const startedAt = new Date().toISOString();

function json(body: unknown): Rendered {
  return { status: 200, headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(body) };
}

function details(): JsonObject {
  return { parent_model: "", format: "", family: "aistack", families: ["aistack"], parameter_size: "", quantization_level: "" };
}

function digest(name: string): string {
  return createHash("sha256").update(`aistack alias ${name}`).digest("hex");
}

function entry(a: AliasView): JsonObject {
  return { name: a.name, model: a.name, modified_at: startedAt, size: 0, digest: digest(a.name), details: details() };
}

/** Ollama clients often add the default tag: `coder:latest` means the alias `coder`. */
export function untagged(model: string): string | undefined {
  return model.endsWith(":latest") ? model.slice(0, -":latest".length) : undefined;
}

export function versionAnswer(): Rendered {
  return json({ version: OLLAMA_API_VERSION });
}

export function tagsAnswer(aliases: readonly AliasView[]): Rendered {
  return json({ models: aliases.map(entry) });
}

/** Aliases with a model in memory on some target: a request will not wait for a load. */
export function psAnswer(aliases: readonly AliasView[]): Rendered {
  const models = aliases
    .filter((a) => a.loaded === true)
    .map((a) => ({
      ...entry(a),
      expires_at: "0001-01-01T00:00:00Z",
      size_vram: 0,
      ...(a.contextLength !== undefined ? { context_length: a.contextLength } : {}),
    }));
  return json({ models });
}

export function showAnswer(body: unknown, resolve: (name: string) => AliasView | undefined): Rendered {
  const b = isJsonObject(body) ? body : {};
  const requested = typeof b.model === "string" ? b.model : typeof b.name === "string" ? b.name : undefined;
  if (requested === undefined) return renderOllamaError(invalidModel("model is required"));
  // The one resolution inference uses: the same names, tags and scope reach the same alias.
  const a = resolve(requested);
  // Unknown and not-allowed look the same: a key must not learn which aliases exist beyond its scope.
  if (!a) return renderOllamaError(ollamaModelNotFound(requested));
  const modelInfo: JsonObject = { "general.architecture": "aistack" };
  if (a.contextLength !== undefined) modelInfo["aistack.context_length"] = a.contextLength;
  return json({
    license: "",
    modelfile: `# alias ${a.name} of the aistack router\n`,
    parameters: a.contextLength !== undefined ? `num_ctx ${a.contextLength}` : "",
    template: "",
    details: details(),
    model_info: modelInfo,
    capabilities: ["completion", "tools"],
    modified_at: startedAt,
    ...(a.description !== undefined ? { description: a.description } : {}),
  });
}

/** pull/push/create/delete/copy: models behind an alias are managed in the router's config, not here. */
export function managementError(path: string): RouterError {
  const verb = path.slice("/api/".length);
  return notSupported(
    `${verb} is not available through the aistack router: its models are aliases defined in the router config; manage models on the backend itself`,
  );
}
