// Names that are also properties of every JavaScript object (toString, constructor, ...) are valid
// backend, alias and key names. Every table the router looks names up in must answer for the names
// it holds and only those: `"toString" in {}` is true, so an `in` or plain-index lookup would accept
// a reference to a backend or alias that does not exist, or keep a removed backend alive.
import { describe, expect, it } from "vitest";
import { parseRouterConfig } from "../../../router/config/schema.js";
import { config, rawPost, routerFixture, sha256, untilAllUp } from "../harness.js";

const NAMES = ["toString", "constructor", "hasOwnProperty", "valueOf", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString"];

const base = {
  backends: { real: { engine: "vllm", url: "http://127.0.0.1:1" } },
  aliases: { chat: { targets: [{ backend: "real", model: "m" }] } },
};

describe("config validation with names inherited by every object", () => {
  describe.each(NAMES)("%s", (name) => {
    it.each([
      ["as a target's backend", { aliases: { chat: { targets: [{ backend: name, model: "m" }] } } }, "aliases.chat.targets[0].backend"],
      ["as an alias a key is scoped to", { apiKeys: [{ name: "k", sha256: "a".repeat(64), aliases: [name] }] }, "apiKeys[0].aliases[0]"],
      ["as the alias of a Claude family", { claudeModels: { haiku: name } }, "claudeModels.haiku"],
      ["as the default Claude alias", { claudeModels: { default: name } }, "claudeModels.default"],
    ])("is an unknown reference %s", (_where, patch, path) => {
      const r = parseRouterConfig({ ...base, ...patch });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.problems.map((p) => p.path)).toContain(path);
    });

    it("is accepted as the name of a backend, an alias and a key that exist", () => {
      const r = parseRouterConfig({
        backends: { [name]: { engine: "vllm", url: "http://127.0.0.1:1" } },
        aliases: { [name]: { targets: [{ backend: name, model: "m" }] } },
        apiKeys: [{ name, sha256: "a".repeat(64), aliases: [name] }],
        claudeModels: { haiku: name },
      });
      expect(r.ok).toBe(true);
    });
  });
});

describe("a router whose names are inherited object properties", () => {
  const fx = routerFixture("each");

  it("serves them on every face, refuses the ones it does not hold, and retires a removed backend", async () => {
    const engine = await fx.fake({ engine: "vllm", models: ["m"], anthropic: true });
    const other = await fx.fake({ engine: "vllm", models: ["m"] });
    // `as const`: TypeScript does not type a property named `constructor` from its context.
    const r = await fx.router(
      config({
        backends: { constructor: { engine: "vllm" as const, url: engine.url }, toString: { engine: "vllm" as const, url: other.url } },
        aliases: { valueOf: { targets: [{ backend: "constructor", model: "m" }] }, plain: { targets: [{ backend: "toString", model: "m" }] } },
        apiKeys: [{ name: "hasOwnProperty", sha256: sha256("k1"), aliases: ["valueOf"] }],
      }),
    );
    await untilAllUp(r);
    const auth = { authorization: "Bearer k1" };
    const ask = (path: string, model: string): Promise<{ status: number; text: string; headers: Headers }> => {
      const messages = [{ role: "user", content: "hi" }];
      const body =
        path === "/v1/messages" ? { model, max_tokens: 8, messages } : path === "/api/chat" ? { model, messages, stream: false } : { model, messages };
      return rawPost(r.url + path, JSON.stringify(body), { ...auth, "anthropic-version": "2023-06-01" });
    };
    for (const path of ["/v1/chat/completions", "/v1/messages", "/api/chat"]) {
      const served = await ask(path, "valueOf");
      expect(served.status, `${path}: ${served.text}`).toBe(200);
      expect(served.headers.get("x-router-backend")).toBe("constructor");
      // Names the table does not hold are unknown, whatever Object.prototype has.
      for (const missing of ["toString", "hasOwnProperty", "constructor", "__proto__"]) {
        expect((await ask(path, missing)).status, `${path} ${missing}`).toBe(404);
      }
      // The key's scope is its own list: an alias outside it reads as unknown (test/router/hostile/scope.test.ts).
      expect((await ask(path, "plain")).status, `${path} plain`).toBe(404);
    }
    const models = (await (await fetch(`${r.url}/v1/models`, { headers: auth })).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(["valueOf"]);
    const tags = (await (await fetch(`${r.url}/api/tags`, { headers: auth })).json()) as { models: { name: string }[] };
    expect(tags.models.map((m) => m.name.replace(/:latest$/, ""))).toEqual(["valueOf"]);
    const status = (await (await fetch(`${r.url}/status.json`)).json()) as {
      aliases: { name: string; targets: { backend: string; health: string }[] }[];
      backends: { name: string }[];
    };
    expect(status.aliases.map((a) => [a.name, a.targets[0]?.backend, a.targets[0]?.health])).toEqual([
      ["valueOf", "constructor", "up"],
      ["plain", "toString", "up"],
    ]);
    expect(status.backends.map((b) => b.name).sort()).toEqual(["constructor", "toString"]);
    expect(await (await fetch(`${r.url}/metrics`)).text()).toMatch(
      /router_requests_total\{face="openai",path="\/v1\/chat\/completions",alias="valueOf",backend="constructor",status="200"\} 1/,
    );

    // A reload without the backend named toString retires it.
    const removed = r.router.registry.get("toString");
    r.router.reload(
      config({
        backends: { constructor: { engine: "vllm" as const, url: engine.url } },
        aliases: { valueOf: { targets: [{ backend: "constructor", model: "m" }] } },
        apiKeys: [{ name: "hasOwnProperty", sha256: sha256("k1"), aliases: ["valueOf"] }],
      }),
    );
    expect(r.router.registry.get("toString")).toBeUndefined();
    expect(r.router.registry.all().map((b) => b.name)).toEqual(["constructor"]);
    expect(removed?.retired).toBe(true);
  });
});
