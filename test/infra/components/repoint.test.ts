// Repointing an alias must change only the config-delivery resources: no container input moves.
import { describe, expect, it } from "vitest";
import { readStackFile, runProgram, withSecrets, type Run } from "../harness.js";

function inputsByName(run: Run): Map<string, string> {
  return new Map(run.resources.map((r) => [`${r.type}::${r.name}`, JSON.stringify(r.rawInputs)]));
}

describe("repointing coder in the home stack", () => {
  it("changes the inputs of the config-delivery resources only", async () => {
    const base = readStackFile("home");
    const router = structuredClone(base.router) as { aliases: Record<string, { targets: { backend: string; model: string }[] }> };
    router.aliases.coder = { targets: [{ backend: "unraid-ollama", model: "Qwen3.5-27b" }] };
    const before = inputsByName(await runProgram(withSecrets(base)));
    const after = inputsByName(await runProgram(withSecrets({ ...base, router })));

    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const changed = [...before.keys()].filter((k) => before.get(k) !== after.get(k)).sort();
    expect(changed).toEqual(["command:remote:Command::router-dev-config", "command:remote:Command::router-unraid-config"]);
  });
});
