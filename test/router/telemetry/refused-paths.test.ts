// Every request the router answers writes one access line and counts in router_requests_total: an
// unknown path and a wrong method too (a misconfigured client shows in the log and the metrics), with
// a `path` label that is a route the router serves or `other`, never what the client sent.
import { describe, expect, it } from "vitest";
import { config, routerFixture, untilAllUp } from "../harness.js";

interface Line {
  msg: string;
  level: string;
  face: string;
  method: string;
  path: string;
  status: number;
  outcome: string;
}

const SECRET_PATH = "/v1/engines/leaked-client-path-7f3a/completions";

describe("requests outside the faces' routes", () => {
  const fx = routerFixture();

  it("each is logged once and counted under a bounded path label", async () => {
    const v = await fx.fake({ engine: "vllm", models: ["m"] });
    const r = await fx.router(
      config({ backends: { v: { engine: "vllm", url: v.url } }, aliases: { coder: { targets: [{ backend: "v", model: "m" }] } }, logging: { level: "debug" } }),
    );
    await untilAllUp(r);
    const calls: [string, string, number][] = [
      ["POST", SECRET_PATH, 404],
      ["GET", "/v1/chat/completions", 405],
      ["GET", "/api/messages", 405],
      ["POST", "/api/nothing", 404],
      ["DELETE", "/healthz", 405],
      ["GET", "/healthz", 200],
    ];
    for (const [method, path, status] of calls) {
      const res = await fetch(r.url + path, { method, ...(method === "POST" ? { body: "{}", headers: { "content-type": "application/json" } } : {}) });
      expect(res.status, `${method} ${path}`).toBe(status);
      await res.arrayBuffer();
    }
    const lines = r.logs.map((l) => JSON.parse(l) as Line).filter((l) => l.msg === "request");
    expect(lines.map((l) => [l.method, l.path, l.status, l.face, l.level])).toEqual([
      ["POST", SECRET_PATH, 404, "openai", "warn"],
      ["GET", "/v1/chat/completions", 405, "openai", "warn"],
      ["GET", "/api/messages", 405, "anthropic", "warn"],
      ["POST", "/api/nothing", 404, "ollama", "warn"],
      ["DELETE", "/healthz", 405, "openai", "warn"],
      // The router's own endpoints are logged at debug: probes and scrapes ask often.
      ["GET", "/healthz", 200, "ops", "debug"],
    ]);
    const metrics = await (await fetch(`${r.url}/metrics`)).text();
    const series = (face: string, path: string, status: number): string =>
      `router_requests_total{face="${face}",path="${path}",alias="none",backend="none",status="${status}"} 1`;
    expect(metrics).toContain(series("openai", "other", 404));
    expect(metrics).toContain(series("openai", "/v1/chat/completions", 405));
    expect(metrics).toContain(series("anthropic", "/api/messages", 405));
    expect(metrics).toContain(series("ollama", "other", 404));
    expect(metrics).toContain(series("openai", "/healthz", 405));
    expect(metrics).toContain(series("ops", "/healthz", 200));
    expect(metrics).not.toContain("leaked-client-path");
  });

  it("a route with a parameter is labelled by the route, not by the name asked for", async () => {
    const v = await fx.fake({ engine: "vllm", models: ["m"] });
    const r = await fx.router(config({ backends: { v: { engine: "vllm", url: v.url } }, aliases: { coder: { targets: [{ backend: "v", model: "m" }] } } }));
    await untilAllUp(r);
    expect((await fetch(`${r.url}/v1/models/coder`)).status).toBe(200);
    expect((await fetch(`${r.url}/v1/models/no-such-model-91c2`)).status).toBe(404);
    const metrics = await (await fetch(`${r.url}/metrics`)).text();
    expect(metrics).toContain('router_requests_total{face="openai",path="/v1/models/{model}",alias="none",backend="none",status="200"} 1');
    expect(metrics).toContain('router_requests_total{face="openai",path="/v1/models/{model}",alias="none",backend="none",status="404"} 1');
    expect(metrics).not.toContain("no-such-model-91c2");
  });
});
