// A llama.cpp server loads its model at start (503 "Loading model" on /health, the backend warming):
// when the probes see it up again, that is a load of the model it serves, with no request waiting
// for it (Backend.trackWarming, ops/scrape.ts).
import { describe, expect, it } from "vitest";
import { config, routerFixture, until } from "../harness.js";

describe("loads seen as an engine warming up", () => {
  const fx = routerFixture("each");

  it("counts one load per warm-up of the model the backend serves, on /metrics and /status", async () => {
    const llama = await fx.fake({ engine: "llamacpp", models: ["m.gguf"], loadDelayMs: 400 });
    const r = await fx.router(
      config({ backends: { llama: { engine: "llamacpp", url: llama.url } }, aliases: { l: { targets: [{ backend: "llama", model: "m.gguf" }] } } }),
    );
    await until(() => r.router.registry.get("llama")?.health === "warming", "the backend warming");
    await until(() => r.router.registry.get("llama")?.health === "up", "the backend up");
    const text = await (await fetch(r.url + "/metrics")).text();
    expect(text).toContain('router_model_loads_total{backend="llama",model="m.gguf"} 1');
    expect(text).toMatch(/router_model_load_seconds_count\{backend="llama",model="m.gguf"\} 1/);
    const status = (await (await fetch(r.url + "/status.json")).json()) as { backends: { name: string; last_5m: { loads: number } }[] };
    expect(status.backends[0]?.last_5m.loads).toBe(1);
    // A second scrape does not count it again.
    expect(await (await fetch(r.url + "/metrics")).text()).toContain('router_model_loads_total{backend="llama",model="m.gguf"} 1');
  });

  it("counts none for a backend that was up from its first probe", async () => {
    const llama = await fx.fake({ engine: "llamacpp", models: ["m.gguf"] });
    const r = await fx.router(
      config({ backends: { llama: { engine: "llamacpp", url: llama.url } }, aliases: { l: { targets: [{ backend: "llama", model: "m.gguf" }] } } }),
    );
    await until(() => r.router.registry.get("llama")?.health === "up", "the backend up");
    expect(await (await fetch(r.url + "/metrics")).text()).not.toContain("router_model_loads_total{");
  });
});
