// One warmth rule: what pick ranks by, what /status shows and what the faces' model lists say agree,
// also between probes, when the router's own view of an Ollama backend is ahead of its last /api/ps.
import { afterEach, describe, expect, it } from "vitest";
import { BackendRegistry } from "../../../router/backends/registry.js";
import { aliasViews } from "../../../router/aliases/views.js";
import { warmth } from "../../../router/backends/warmth.js";
import type { ModelState } from "../../../router/engines/types.js";
import { statusSnapshot } from "../../../router/ops/status.js";
import { candidateViews } from "../../../router/routing/candidates.js";
import { config } from "../harness.js";

const cfg = config({
  backends: { box: { engine: "ollama", url: "http://127.0.0.1:9" }, gpu: { engine: "vllm", url: "http://127.0.0.1:9" } },
  aliases: {
    small: { targets: [{ backend: "box", model: "a" }] },
    big: { targets: [{ backend: "box", model: "b" }] },
    fast: { targets: [{ backend: "gpu", model: "v" }] },
  },
});

const registry = new BackendRegistry();
afterEach(async () => {
  await Promise.all(registry.all().map((b) => b.pool.close()));
});

/** Every place that shows a target's warmth, for one alias. */
function shown(alias: string): { pick: string | undefined; status: string | undefined; listed: boolean | undefined } {
  const a = cfg.aliases[alias];
  if (!a) throw new Error(alias);
  return {
    pick: candidateViews(a, registry, 0, cfg)[0]?.warmth,
    status: statusSnapshot(cfg, registry, { version: 1, loadedAt: 0, source: undefined, sha256: undefined, rejected: undefined }, false, 0).aliases.find(
      (x) => x.name === alias,
    )?.targets[0]?.model_state,
    listed: aliasViews(cfg, registry, (n) => n === alias)[0]?.loaded,
  };
}

describe("warmth", () => {
  it("is unknown before a probe, then follows the probe, then the requests the router sent", () => {
    registry.apply(cfg);
    const box = registry.get("box");
    const gpu = registry.get("gpu");
    if (!box || !gpu) throw new Error("registry");
    expect(warmth(undefined, "a", cfg)).toBe("unknown");
    expect(shown("small")).toEqual({ pick: "unknown", status: "unknown", listed: false });

    const ps: [string, ModelState][] = [
      ["a", { installed: true, loaded: true }],
      ["b", { installed: true, loaded: false }],
    ];
    Object.assign(box, { health: "up", models: new Map(ps), lastProbeAt: 1_000 });
    Object.assign(gpu, { health: "up", models: new Map<string, ModelState>([["v", { installed: true, loaded: false }]]), lastProbeAt: 1_000 });
    expect(shown("small")).toEqual({ pick: "loaded", status: "loaded", listed: true });
    expect(shown("big")).toEqual({ pick: "cold", status: "cold", listed: false });
    // An engine that serves only what it holds is warm for every model it lists.
    expect(shown("fast")).toEqual({ pick: "loaded", status: "loaded", listed: true });

    // The router sent a request for b: Ollama loads it in place of a (seen holding one model).
    box.residency.record("b", 2_000);
    expect(shown("big")).toEqual({ pick: "loaded", status: "loaded", listed: true });
    expect(shown("small")).toEqual({ pick: "cold", status: "cold", listed: false });

    box.models = new Map(ps.filter(([n]) => n !== "b"));
    expect(shown("big")).toEqual({ pick: "missing", status: "missing", listed: false });
  });
});
