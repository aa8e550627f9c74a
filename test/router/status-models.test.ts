import { afterEach, describe, expect, it } from "vitest";
import type { FakeEngine } from "../fakes/index.js";
import { config, fake, startRouter, until, type Running } from "./harness.js";

interface StatusJson {
  backends: { name: string; models: { name: string; loaded: boolean }[] }[];
}

describe("status page: models", () => {
  let engine: FakeEngine | undefined;
  let r: Running | undefined;
  afterEach(async () => {
    await r?.stop();
    await engine?.stop();
  });

  it("lists a model once when the config names it without the tag Ollama reports", async () => {
    // Ollama lists `tiny` as `tiny:latest`; the router answers to both names but shows one line.
    engine = await fake({ engine: "ollama", models: ["tiny"], loaded: ["tiny"] });
    r = await startRouter(
      config({
        backends: { box: { engine: "ollama", url: engine.url } },
        aliases: { small: { targets: [{ backend: "box", model: "tiny" }] } },
      }),
    );
    await until(() => r?.router.registry.get("box")?.model("tiny")?.loaded === true, "the ps probe");
    const status = (await (await fetch(`${r.url}/status.json`)).json()) as StatusJson;
    const models = status.backends.find((b) => b.name === "box")?.models ?? [];
    expect(models.map((m) => m.name.replace(/:latest$/, ""))).toEqual(["tiny"]);
    expect(models[0]?.loaded).toBe(true);
  });
});
