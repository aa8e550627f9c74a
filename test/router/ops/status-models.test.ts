import { describe, expect, it } from "vitest";
import { config, routerFixture, until } from "../harness.js";

interface StatusJson {
  backends: { name: string; models: { name: string; loaded: boolean }[] }[];
}

describe("status page: models", () => {
  const fx = routerFixture();

  it("lists a model once when the config names it without the tag Ollama reports", async () => {
    // Ollama lists `tiny` as `tiny:latest`; the router answers to both names but shows one line.
    const engine = await fx.fake({ engine: "ollama", models: ["tiny"], loaded: ["tiny"] });
    const r = await fx.router(
      config({
        backends: { box: { engine: "ollama", url: engine.url } },
        aliases: { small: { targets: [{ backend: "box", model: "tiny" }] } },
      }),
    );
    await until(() => r.router.registry.get("box")?.model("tiny")?.loaded === true, "the ps probe");
    const status = (await (await fetch(`${r.url}/status.json`)).json()) as StatusJson;
    const models = status.backends.find((b) => b.name === "box")?.models ?? [];
    expect(models.map((m) => m.name.replace(/:latest$/, ""))).toEqual(["tiny"]);
    expect(models[0]?.loaded).toBe(true);
  });
});
