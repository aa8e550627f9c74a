import { describe, expect, it } from "vitest";
import { parseRouterConfig, routerConfigJsonSchema } from "../../../router/config/schema.js";

const minimal = {
  listen: { host: "127.0.0.1", port: 4000 },
  backends: {
    "spark-vllm": { engine: "vllm", url: "http://10.0.0.11:8000" },
    "unraid-ollama": { engine: "ollama", url: "http://10.0.0.10:11435", maxConcurrency: 1 },
  },
  aliases: {
    coder: {
      targets: [
        { backend: "spark-vllm", model: "MiniMax-M2.5" },
        { backend: "unraid-ollama", model: "qwen3-coder:30b" },
      ],
    },
  },
  apiKeys: [{ name: "laptop", sha256: "a".repeat(64), aliases: ["coder"] }],
};

describe("router config schema", () => {
  it("accepts the minimal file (backends, aliases, keys) and fills defaults", () => {
    const r = parseRouterConfig(minimal);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.health.intervalMs).toBe(5000);
    expect(r.config.timeouts.firstByteMs).toBe(300_000);
    expect(r.config.backends["unraid-ollama"]?.queue.maxLength).toBe(16);
    expect(r.config.retries.max).toBe(2);
  });

  it.each([
    ["unknown backend in a target", { aliases: { coder: { targets: [{ backend: "nope", model: "m" }] } } }, "aliases.coder.targets[0].backend"],
    ["bad engine", { backends: { b: { engine: "tgi", url: "http://x:1" } } }, "backends.b.engine"],
    ["non-http url", { backends: { b: { engine: "vllm", url: "file:///etc/passwd" } } }, "backends.b.url"],
    ["unknown key", { listen: { host: "h", port: 1, extra: 1 } }, "listen"],
    ["bad sha256", { apiKeys: [{ name: "k", sha256: "XYZ" }] }, "apiKeys[0].sha256"],
    ["key scoped to unknown alias", { apiKeys: [{ name: "k", sha256: "b".repeat(64), aliases: ["ghost"] }] }, "apiKeys[0].aliases[0]"],
    ["empty targets", { aliases: { coder: { targets: [] } } }, "aliases.coder.targets"],
  ])("rejects %s with its path", (_label, patch, path) => {
    const r = parseRouterConfig({ ...minimal, ...patch });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.path)).toContain(path);
  });

  it("reports every problem in one pass: a broken section does not hide the references between the others", () => {
    const r = parseRouterConfig({
      listen: { host: "127.0.0.1", port: 70000 },
      backends: { local: { engine: "olama", url: "http://127.0.0.1:11434" } },
      aliases: { chat: { targets: [{ backend: "lcoal", model: "m" }] }, code: { targets: [] } },
      apiKeys: [
        { name: "k", sha256: "XYZ", aliases: ["caht"] },
        { name: "k", sha256: "c".repeat(64) },
      ],
      claudeModels: { haiku: "mikro" },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.path).sort()).toEqual(
      [
        "listen.port",
        "backends.local.engine",
        "aliases.chat.targets[0].backend",
        "aliases.code.targets",
        "apiKeys[0].sha256",
        "apiKeys[0].aliases[0]",
        "apiKeys[1].name",
        "claudeModels.haiku",
      ].sort(),
    );
    expect(r.problems.find((p) => p.path === "aliases.chat.targets[0].backend")?.message).toBe('unknown backend "lcoal"; known: local');
  });

  it("counts a name that is present but invalid as present: no false unknown reference", () => {
    const r = parseRouterConfig({ ...minimal, backends: { ...minimal.backends, "spark-vllm": { engine: "tgi", url: "http://10.0.0.11:8000" } } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.path)).toEqual(["backends.spark-vllm.engine"]);
  });

  it("exports a JSON Schema naming the top-level keys", () => {
    const s = routerConfigJsonSchema();
    expect(Object.keys((s as { properties: Record<string, unknown> }).properties)).toEqual(
      expect.arrayContaining(["listen", "backends", "aliases", "apiKeys"]),
    );
  });
});
