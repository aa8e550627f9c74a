// Alias resolution, one function for every face: the name as sent, then the face's mapping of it; an
// alias outside the key's scope answers exactly like an unknown name, and only the log tells them apart.
import { describe, expect, it } from "vitest";
import { compileKeys } from "../../../router/auth/keys.js";
import { anthropicFace } from "../../../router/faces/anthropic/index.js";
import { ollamaFace } from "../../../router/faces/ollama/index.js";
import { openaiFace } from "../../../router/faces/openai/index.js";
import { resolveModel } from "../../../router/aliases/resolve.js";
import { config, sha256 } from "../harness.js";

const table = config({
  backends: { b: { engine: "vllm", url: "http://127.0.0.1:9" } },
  aliases: {
    coder: { targets: [{ backend: "b", model: "m" }] },
    micro: { targets: [{ backend: "b", model: "m" }] },
    "claude-special": { targets: [{ backend: "b", model: "m" }] },
    secret: { targets: [{ backend: "b", model: "m" }] },
  },
  claudeModels: { haiku: "micro", sonnet: "coder", opus: "secret" },
  apiKeys: [
    { name: "laptop", sha256: sha256("k1"), aliases: ["coder", "micro", "claude-special"] },
    { name: "admin", sha256: sha256("k2") },
  ],
});
const [laptop, admin] = compileKeys(table.apiKeys);

describe("resolveModel", () => {
  it.each([
    ["an alias as sent", openaiFace, "coder", "coder"],
    ["a claude-* family", anthropicFace, "claude-haiku-4-5", "micro"],
    ["an alias named claude-... before the family", anthropicFace, "claude-special", "claude-special"],
    ["an Ollama default tag", ollamaFace, "coder:latest", "coder"],
    ["a plain alias on the Ollama face", ollamaFace, "micro", "micro"],
  ] as const)("%s", (_what, face, model, alias) => {
    const r = resolveModel(model, table, laptop, face.mapModel);
    expect(r).toMatchObject({ ok: true, alias });
  });

  it.each([
    ["an unknown name", openaiFace, "nope", undefined],
    ["another tag than latest", ollamaFace, "coder:7b", undefined],
    ["a claude-* name on the OpenAI face", openaiFace, "claude-haiku-4-5", undefined],
    ["__proto__", openaiFace, "__proto__", undefined],
    ["an alias outside the key's scope", openaiFace, "secret", "secret"],
    ["a claude family mapped outside the key's scope", anthropicFace, "claude-opus-4-1", "secret"],
    ["a tagged alias outside the key's scope", ollamaFace, "secret:latest", "secret"],
  ] as const)("%s: 404 like an unknown model; the log says which", (_what, face, model, outside) => {
    const r = resolveModel(model, table, laptop, face.mapModel);
    if (r.ok) throw new Error("resolved");
    expect(r.error).toMatchObject({ status: 404, code: "model_not_found" });
    expect(r.error.message).toBe(
      `unknown model "${model}"; available aliases: coder, micro, claude-special${model.startsWith("claude-") ? "; claude-* names reach an alias through the router's claudeModels setting" : ""}`,
    );
    expect(r.outside).toBe(outside);
    expect(r.logMessage).toBe(outside === undefined ? r.error.message : `alias "${outside}" is outside the scope of key "laptop"`);
  });

  it("lets a key without a scope reach every alias", () => {
    expect(resolveModel("claude-opus-4-1", table, admin, anthropicFace.mapModel)).toMatchObject({ ok: true, alias: "secret" });
    expect(resolveModel("secret", table, undefined, undefined)).toMatchObject({ ok: true, alias: "secret" });
  });
});
