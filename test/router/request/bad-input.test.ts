import { request } from "node:http";
import { beforeAll, describe, expect, it } from "vitest";
import type { FakeEngine } from "../../../tools/fakes/index.js";
import { config, rawPost, routerFixture, type Running } from "../harness.js";

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
    const res = await rawPost(
      `${r.url}/v1/chat/completions`,
      JSON.stringify({ model: "coder", messages: [{ role: "user", content: "x" }], api_base: "http://169.254.169.254/" }),
    );
    expect(res.status).toBe(200);
    expect(vllm.stats.lastRequestBody).not.toHaveProperty("api_base");
  });

  it("does not forward hop-by-hop headers", async () => {
    const res = await rawPost(`${r.url}/v1/chat/completions`, JSON.stringify({ model: "coder", messages: [{ role: "user", content: "x" }] }));
    expect(res.headers.get("keep-alive")).not.toBe("timeout=5");
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("makes up a random x-request-id: 96 bits, no counter for a client to read the traffic from", async () => {
    const ask = JSON.stringify({ model: "coder", messages: [{ role: "user", content: "x" }] });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await rawPost(`${r.url}/v1/chat/completions`, ask)).headers.get("x-request-id") ?? "");
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{24}$/);
    // Consecutive ids of a counter share their prefix; random ones almost never share 8 digits.
    for (let i = 1; i < ids.length; i++) {
      const [a, b] = [ids[i - 1] ?? "", ids[i] ?? ""];
      let same = 0;
      while (same < a.length && a[same] === b[same]) same++;
      expect(same).toBeLessThan(8);
    }
  });

  it("honours an incoming x-request-id", async () => {
    const res = await rawPost(`${r.url}/v1/chat/completions`, JSON.stringify({ model: "coder", messages: [{ role: "user", content: "x" }] }), {
      "x-request-id": "abc-123",
    });
    expect(res.headers.get("x-request-id")).toBe("abc-123");
    expect(r.logs.some((l) => l.includes('"id":"abc-123"'))).toBe(true);
  });

  it("keeps serving after a client that sends half a body and leaves", async () => {
    const u = new URL(r.url);
    await new Promise<void>((resolve) => {
      const req = request({
        host: u.hostname,
        port: u.port,
        method: "POST",
        path: "/v1/chat/completions",
        headers: { "content-type": "application/json", "content-length": "1000" },
      });
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
