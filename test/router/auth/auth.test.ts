import { beforeAll, describe, expect, it } from "vitest";
import type { FakeEngine } from "../../../tools/fakes/index.js";
import { config, rawPost, routerFixture, sha256, until, type Running } from "../harness.js";

describe("auth: keys, scopes, header forms", () => {
  let vllm: FakeEngine;
  let r: Running;
  const fx = routerFixture("all");

  beforeAll(async () => {
    vllm = await fx.fake({ engine: "vllm", models: ["big", "small"], apiKey: "backend-secret" });
    r = await fx.router(
      config({
        backends: { spark: { engine: "vllm", url: vllm.url, apiKey: "backend-secret" } },
        aliases: { coder: { targets: [{ backend: "spark", model: "big" }] }, micro: { targets: [{ backend: "spark", model: "small" }] } },
        apiKeys: [
          { name: "laptop", sha256: sha256("key-laptop"), aliases: ["micro"] },
          { name: "admin", sha256: sha256("key-admin") },
        ],
      }),
    );
    await until(() => r.router.registry.get("spark")?.health === "up", "probe");
  });

  const chat = (alias: string) => JSON.stringify({ model: alias, messages: [{ role: "user", content: "hi" }] });

  it.each([
    ["no key", {}, "micro", 401],
    ["wrong bearer", { authorization: "Bearer nope" }, "micro", 401],
    ["wrong x-api-key", { "x-api-key": "nope" }, "micro", 401],
    ["bearer, allowed alias", { authorization: "Bearer key-laptop" }, "micro", 200],
    ["x-api-key, allowed alias", { "x-api-key": "key-laptop" }, "micro", 200],
    // An alias outside the key's scope does not exist for it: the answer is an unknown model's.
    ["bearer, alias outside scope", { authorization: "Bearer key-laptop" }, "coder", 404],
    ["x-api-key, alias outside scope", { "x-api-key": "key-laptop" }, "coder", 404],
    ["unscoped key", { authorization: "Bearer key-admin" }, "coder", 200],
  ])("%s → %i", async (_label, headers, alias, status) => {
    const res = await rawPost(`${r.url}/v1/chat/completions`, chat(alias), headers);
    expect(res.status).toBe(status);
    if (status !== 200) {
      const body = JSON.parse(res.text) as { error: { message: string; type: string } };
      expect(body.error.type).toBe(status === 401 ? "authentication_error" : "invalid_request_error");
    }
  });

  it("sends the backend's own key, never the client's", async () => {
    await rawPost(`${r.url}/v1/chat/completions`, chat("micro"), { authorization: "Bearer key-laptop" });
    expect(vllm.stats.lastRequestHeaders?.authorization).toBe("Bearer backend-secret");
    expect(JSON.stringify(vllm.stats.lastRequestHeaders)).not.toContain("key-laptop");
  });

  it("lists only the aliases a key may use", async () => {
    const models = await r.client("key-laptop").models.list();
    expect(models.data.map((m) => m.id)).toEqual(["micro"]);
  });

  it("never logs a key", () => {
    expect(r.logs.join("\n")).not.toMatch(/key-laptop|key-admin|backend-secret/);
  });
});
