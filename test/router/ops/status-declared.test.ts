// What `npm run drift` and an operator read off a router: the models a backend is declared to have
// that its engine does not (/status, /status.json, a metric), and the digest of the config file the
// table in force was read from (/status.json config.sha256).
import { describe, expect, it } from "vitest";
import { startFakeEngine } from "../../../tools/fakes/index.js";
import { spawnRouter } from "../hostile/process.js";
import { config, fastHealth, routerFixture, sha256, until, untilModelsKnown } from "../harness.js";

interface StatusJson {
  config: { version: number; sha256: string | null };
  backends: { name: string; declared_missing: string[] }[];
}

const status = async (url: string): Promise<StatusJson> => (await (await fetch(`${url}/status.json`)).json()) as StatusJson;
const metricLines = async (url: string): Promise<string[]> =>
  (await (await fetch(`${url}/metrics`)).text()).split("\n").filter((l) => l.startsWith("router_backend_declared_model_missing{"));

describe("declared models the engine does not have", () => {
  const fx = routerFixture();

  it("are marked on /status.json, /status and in a metric; a declared model found under Ollama's tag is not", async () => {
    // `extra` is declared but no alias uses it; Ollama lists it as `extra:latest`.
    const ollama = await fx.fake({ engine: "ollama", models: ["tiny", "extra"] });
    const vllm = await fx.fake({ engine: "vllm", models: ["served"] });
    const backends = {
      box: { engine: "ollama" as const, url: ollama.url, models: ["tiny", "extra", "qwen3-coder:30b"] },
      gpu: { engine: "vllm" as const, url: vllm.url, models: ["MiniMax-M2.5"] },
    };
    const r = await fx.router(config({ backends, aliases: { small: { targets: [{ backend: "box", model: "tiny" }] } } }));
    await untilModelsKnown(r);
    const s = await status(r.url);
    expect(s.backends.map((b) => [b.name, b.declared_missing])).toEqual([
      ["box", ["qwen3-coder:30b"]],
      ["gpu", ["MiniMax-M2.5"]],
    ]);
    const page = await (await fetch(`${r.url}/status`)).text();
    expect(page).toContain("declared, not on the engine: qwen3-coder:30b");
    expect(page).toContain("declared, not on the engine: MiniMax-M2.5");
    expect(await metricLines(r.url)).toEqual([
      'router_backend_declared_model_missing{backend="box",model="tiny"} 0',
      'router_backend_declared_model_missing{backend="box",model="extra"} 0',
      'router_backend_declared_model_missing{backend="box",model="qwen3-coder:30b"} 1',
      'router_backend_declared_model_missing{backend="gpu",model="MiniMax-M2.5"} 1',
    ]);

    // A reload that declares fewer models drops the series of the others.
    r.router.reload(
      config({
        backends: { box: { engine: "ollama", url: ollama.url, models: ["tiny"] } },
        aliases: { small: { targets: [{ backend: "box", model: "tiny" }] } },
      }),
    );
    expect((await status(r.url)).backends.map((b) => [b.name, b.declared_missing])).toEqual([["box", []]]);
    expect(await metricLines(r.url)).toEqual(['router_backend_declared_model_missing{backend="box",model="tiny"} 0']);
  });

  it("are not marked before the engine's model list is known", async () => {
    const r = await fx.router(
      config({
        backends: { box: { engine: "ollama", url: "http://127.0.0.1:9", models: ["tiny"] } },
        aliases: { small: { targets: [{ backend: "box", model: "tiny" }] } },
      }),
    );
    await until(() => r.router.registry.get("box")?.health === "down", "the probe");
    expect((await status(r.url)).backends[0]?.declared_missing).toEqual([]);
    expect(await metricLines(r.url)).toEqual([]);
  });
});

describe("the config file's digest", () => {
  it("is the sha256 of the bytes the table in force was read from, at start and after each reload", { timeout: 60_000 }, async () => {
    const fake = await startFakeEngine({ engine: "vllm", models: ["m"] });
    const table = (model: string): Record<string, unknown> => ({
      listen: { host: "127.0.0.1", port: 0 },
      health: fastHealth,
      backends: { v: { engine: "vllm", url: fake.url, models: [model] } },
      aliases: { coder: { targets: [{ backend: "v", model }] } },
    });
    const first = JSON.stringify(table("m"));
    const p = await spawnRouter(first);
    try {
      expect((await status(p.url)).config).toMatchObject({ version: 1, sha256: sha256(first) });
      const second = JSON.stringify(table("n"), null, 2);
      await p.write(second);
      await until(() => p.count("config reloaded") === 1, "the reload", 20_000);
      expect((await status(p.url)).config).toMatchObject({ version: 2, sha256: sha256(second) });
      // The same table in other bytes: nothing to reload, and the digest is of the file now there.
      const third = JSON.stringify(table("n"));
      await p.write(third);
      let seen = await status(p.url);
      for (let i = 0; i < 200 && seen.config.sha256 !== sha256(third); i++) {
        await new Promise((r) => setTimeout(r, 100));
        seen = await status(p.url);
      }
      expect(seen.config).toMatchObject({ version: 2, sha256: sha256(third) });
    } finally {
      await p.stop();
      await fake.stop();
    }
  });
});
