// The route table every router serves: all three faces (no option adds or removes one), HEAD wherever
// GET is, and the face that answers an error on a path no face serves.
import { describe, expect, it } from "vitest";
import { faces } from "../../../router/faces/index.js";
import { OPS_PATHS } from "../../../router/ops/endpoints.js";
import { pathOf, Routes } from "../../../router/http/routes.js";
import { requestId } from "../../../router/ids.js";
import { config, routerFixture } from "../harness.js";

describe("the route table", () => {
  const routes = new Routes(faces, OPS_PATHS);

  it.each([
    ["POST", "/v1/chat/completions", "openai", "chat"],
    ["GET", "/api/v1/models", "openai", "models"],
    ["HEAD", "/v1/models", "openai", "models"],
    ["POST", "/api/v1/messages", "anthropic", "messages"],
    ["POST", "/v1/messages/count_tokens", "anthropic", "count_tokens"],
    ["POST", "/api/chat", "ollama", "chat"],
    ["DELETE", "/api/delete", "ollama", "management"],
  ])("%s %s → %s %s", (method, path, face, kind) => {
    expect(routes.find(method, path)).toMatchObject({ face: { name: face }, route: { kind } });
  });

  it("has no route for a wrong method or an unknown path", () => {
    expect(routes.find("GET", "/v1/messages")).toBeUndefined();
    expect(routes.find("POST", "/v1/nothing")).toBeUndefined();
    expect(routes.allowed.header("/v1/messages")).toBe("POST");
    expect(routes.allowed.header("/metrics")).toBe("GET, HEAD");
    expect(routes.allowed.header("/v1/nothing")).toBeUndefined();
  });

  it.each([
    ["/v1/messages", "anthropic"],
    ["/v1/nothing", "openai"],
    ["/api/nothing", "ollama"],
    ["/api/v1/nothing", "openai"],
    ["/elsewhere", "openai"],
  ])("an error on %s is in the %s dialect", (path, face) => expect(routes.faceFor(path).name).toBe(face));

  it("reads the path without its query, and keeps only a sane request id", () => {
    expect(pathOf("/v1/messages?beta=true")).toBe("/v1/messages");
    expect(pathOf(undefined)).toBe("/");
    expect(requestId("abc-1.2:3")).toBe("abc-1.2:3");
    expect(requestId("bad id")).toMatch(/^[0-9a-f]{24}$/);
    expect(requestId(["a", "b"])).toMatch(/^[0-9a-f]{24}$/);
  });
});

describe("a router", () => {
  const fx = routerFixture("each");

  it("serves all three dialects without being told to", async () => {
    const r = await fx.router(
      config({ backends: { b: { engine: "vllm", url: "http://127.0.0.1:9" } }, aliases: { coder: { targets: [{ backend: "b", model: "m" }] } } }),
    );
    const version = await fetch(`${r.url}/api/version`);
    expect(version.status).toBe(200);
    const messages = await fetch(`${r.url}/v1/messages`, {
      method: "POST",
      body: JSON.stringify({ model: "nope", max_tokens: 1, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(messages.status).toBe(404);
    expect(await messages.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    const models = await fetch(`${r.url}/v1/models`);
    expect(await models.json()).toMatchObject({ object: "list", data: [{ id: "coder" }] });
  });
});
