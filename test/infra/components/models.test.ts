// Every model listed under an Ollama backend is made present on its host by a resource of its own,
// which the engine container does not depend on: adding or removing a model restarts nothing.
import { describe, expect, it } from "vitest";
import { validateStackConfig } from "../../../infra/config/load.js";
import { modelPullScript, modelPullSpecs } from "../../../infra/specs/ollama.js";
import { byType, readStackFile, runProgram, withSecrets, type Run } from "../harness.js";

type Values = Record<string, unknown>;
type Backends = Record<string, { models?: string[] }>;

function withModels(values: Values, backend: string, models: string[]): Values {
  const backends = structuredClone(values.backends) as Backends;
  (backends[backend] as { models?: string[] }).models = models;
  return { ...values, backends };
}

function inputsByName(run: Run): Map<string, string> {
  return new Map(run.resources.map((r) => [`${r.type}::${r.name}`, JSON.stringify(r.rawInputs)]));
}

describe("model pulls", () => {
  it("one per listed model, on the engine's host, run inside the engine container", async () => {
    const run = await runProgram(withSecrets(readStackFile("home")));
    const pulls = byType(run, "command:remote:Command").filter((r) => r.name.includes("-model-"));
    expect(pulls.map((p) => p.name).sort()).toEqual([
      "dev-ollama-model-Qwen3.5-27b",
      "dev-ollama-model-qwen3-coder:30b",
      "unraid-ollama-model-Qwen3.5-27b",
      "unraid-ollama-model-qwen3-coder:30b",
    ]);
    const dev = pulls.find((p) => p.name === "dev-ollama-model-qwen3-coder:30b");
    expect(dev?.inputs.connection).toMatchObject({ host: "10.0.0.8", user: "root" });
    expect(String(dev?.inputs.create)).toContain("docker exec dev-ollama ollama pull qwen3-coder:30b");
  });

  it("on a local host, run with the host's Docker socket", async () => {
    const run = await runProgram(withSecrets(readStackFile("local")));
    const [pull] = byType(run, "command:local:Command").filter((r) => r.name.includes("-model-"));
    expect(pull?.name).toBe("local-ollama-model-qwen3:0.6b");
    expect(pull?.inputs.environment).toEqual({ DOCKER_HOST: "unix:///var/run/docker.sock" });
  });

  it("adding or removing a model changes only that model's resource, and the router config that declares it", async () => {
    const base = withSecrets(readStackFile("home"));
    const before = inputsByName(await runProgram(base));
    const after = inputsByName(await runProgram(withModels(base, "dev-ollama", ["qwen3-coder:30b", "Qwen3.5-27b", "gemma3:4b"])));
    const added = [...after.keys()].filter((k) => !before.has(k));
    const changed = [...before.keys()].filter((k) => after.has(k) && before.get(k) !== after.get(k));
    expect(added).toEqual(["command:remote:Command::dev-ollama-model-gemma3:4b"]);
    // The router config carries each backend's declared models (/status marks a missing one): a file
    // rewrite the routers hot-reload; no container changes.
    const configs = ["command:remote:Command::router-dev-config", "command:remote:Command::router-unraid-config"];
    expect(changed.sort()).toEqual(configs);
    const fewer = inputsByName(await runProgram(withModels(base, "unraid-ollama", ["Qwen3.5-27b"])));
    expect([...before.keys()].filter((k) => !fewer.has(k))).toEqual(["command:remote:Command::unraid-ollama-model-qwen3-coder:30b"]);
    expect([...fewer.keys()].filter((k) => before.get(k) !== fewer.get(k)).sort()).toEqual(configs);
  });

  it("the script waits for the engine, skips a model already present, and pulls otherwise", () => {
    const r = validateStackConfig({ values: withSecrets(readStackFile("local")), secretKeys: new Set(["secrets"]) });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const [pull] = modelPullSpecs(r.config);
    if (!pull) throw new Error("no pull planned");
    const lines = modelPullScript(pull).split("\n");
    expect(lines[1]).toMatch(/^i=0; until docker exec local-ollama ollama list /);
    expect(lines[2]).toBe("if docker exec local-ollama ollama show qwen3:0.6b >/dev/null 2>&1; then echo present: qwen3:0.6b; exit 0; fi");
    expect(lines[3]).toContain("docker exec local-ollama ollama pull qwen3:0.6b");
    // A model name is one shell word whatever it holds.
    expect(modelPullScript({ ...pull, model: "a b'c" })).toContain(`ollama pull 'a b'\\''c'`);
  });
});
