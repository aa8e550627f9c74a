import { request } from "node:http";
import { beforeAll, describe, expect, it } from "vitest";
import type { FakeEngine } from "../fakes/index.js";
import { config, rawPost, routerFixture, type Running } from "./harness.js";

describe("bad input: clear errors in OpenAI's shape, never a crash", () => {
  let vllm: FakeEngine;
  let r: Running;
  const fx = routerFixture("all");

  beforeAll(async () => {
    vllm = await fx.fake({ engine: "vllm", models: ["m"] });
    r = await fx.router(
      config({
        backends: { spark: { engine: "vllm", url: vllm.url } },
        aliases: { coder: { targets: [{ backend: "spark", model: "m" }] } },
        limits: { maxBodyBytes: 4096 },
      }),
    );
  });

  it.each([
    ["malformed JSON", "/v1/chat/completions", "{not json", 400],
    ["a JSON array", "/v1/chat/completions", "[1,2]", 400],
    ["missing model", "/v1/chat/completions", JSON.stringify({ messages: [] }), 400],
    ["model of the wrong type", "/v1/chat/completions", JSON.stringify({ model: 7, messages: [] }), 400],
    ["messages missing", "/v1/chat/completions", JSON.stringify({ model: "coder" }), 400],
    ["unknown alias", "/v1/chat/completions", JSON.stringify({ model: "../../etc", messages: [] }), 404],
    ["alias named like an object key", "/v1/chat/completions", JSON.stringify({ model: "__proto__", messages: [] }), 404],
    ["body over the limit", "/v1/chat/completions", JSON.stringify({ model: "coder", messages: [{ role: "user", content: "x".repeat(5000) }] }), 413],
    ["unknown path", "/v1/nothing", "{}", 404],
  ])("%s", async (_label, path, body, status) => {
    const res = await rawPost(r.url + path, body);
    expect(res.status).toBe(status);
    const parsed = JSON.parse(res.text) as { error: { message: string; type: string } };
    expect(typeof parsed.error.message).toBe("string");
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it("answers a wrong method with 405", async () => {
    const res = await fetch(`${r.url}/v1/chat/completions`);
    expect(res.status).toBe(405);
  });

  it("ignores a client-supplied backend URL", async () => {
    const res = await rawPost(`${r.url}/v1/chat/completions`, JSON.stringify({ model: "coder", messages: [{ role: "user", content: "x" }], api_base: "http://169.254.169.254/" }));
    expect(res.status).toBe(200);
    expect(vllm.stats.lastRequestBody).not.toHaveProperty("api_base");
  });

  it("does not forward hop-by-hop headers", async () => {
    const res = await rawPost(`${r.url}/v1/chat/completions`, JSON.stringify({ model: "coder", messages: [{ role: "user", content: "x" }] }));
    expect(res.headers.get("keep-alive")).not.toBe("timeout=5");
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("honours an incoming x-request-id", async () => {
    const res = await rawPost(`${r.url}/v1/chat/completions`, JSON.stringify({ model: "coder", messages: [{ role: "user", content: "x" }] }), { "x-request-id": "abc-123" });
    expect(res.headers.get("x-request-id")).toBe("abc-123");
    expect(r.logs.some((l) => l.includes('"id":"abc-123"'))).toBe(true);
  });

  it("keeps serving after a client that sends half a body and leaves", async () => {
    const u = new URL(r.url);
    await new Promise<void>((resolve) => {
      const req = request({ host: u.hostname, port: u.port, method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json", "content-length": "1000" } });
      req.on("error", () => resolve());
      req.write('{"model":"cod');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 20);
    });
    const res = await rawPost(`${r.url}/v1/chat/completions`, JSON.stringify({ model: "coder", messages: [{ role: "user", content: "x" }] }));
    expect(res.status).toBe(200);
  });
});
