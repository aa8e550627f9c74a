// A request pipelined behind another on one connection is served only once the answers before it are
// out: behind a refusal that ends the connection (no key, a body the router will not read) it never
// runs, where it used to reach the backend and have its answer thrown away. Behind an answer that
// keeps the connection open it is served, in order.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeEngine, type FakeEngine } from "../../../tools/fakes/index.js";
import { config, sha256, startRouter, untilAllUp, type Running } from "../harness.js";
import { rawExchange } from "./raw.js";

const KEY = "client-key-pP1pe";
let vllm: FakeEngine;
let r: Running;

beforeAll(async () => {
  vllm = await startFakeEngine({ engine: "vllm", models: ["m"] });
  r = await startRouter(
    config({
      backends: { spark: { engine: "vllm", url: vllm.url } },
      aliases: { coder: { targets: [{ backend: "spark", model: "m" }] } },
      apiKeys: [{ name: "k", sha256: sha256(KEY) }],
    }),
  );
  await untilAllUp(r);
});
afterAll(async () => {
  await r.stop();
  await vllm.stop();
});

function request(key: string, body: string, last = false): string {
  const close = last ? "connection: close\r\n" : "";
  return `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: Bearer ${key}\r\n${close}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

const chat = JSON.stringify({ model: "coder", messages: [{ role: "user", content: "hi" }] });
const generations = (): number => vllm.stats.requests["/v1/chat/completions"] ?? 0;

describe("pipelined requests", () => {
  it("behind a refused request that ends the connection: never sent to a backend", async () => {
    const before = generations();
    // The refused request's body is not all there when it is refused: the refusal closes the connection.
    const refused = `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: Bearer wrong\r\ncontent-length: ${chat.length}\r\n\r\n`;
    const res = await rawExchange(Number(new URL(r.url).port), refused + chat + request(KEY, chat, true));
    expect(res.status).toBe(401);
    expect(res.raw.match(/HTTP\/1\.1 \d{3}/g)).toEqual(["HTTP/1.1 401"]);
    // Give a request that wrongly started time to reach the backend.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(generations()).toBe(before);
  });

  it("behind an answer that keeps the connection: served, in order", async () => {
    const before = generations();
    const bad = JSON.stringify({ model: "nope", messages: [] });
    const res = await rawExchange(Number(new URL(r.url).port), request(KEY, bad) + request(KEY, chat, true));
    expect(res.raw.match(/HTTP\/1\.1 \d{3}/g)).toEqual(["HTTP/1.1 404", "HTTP/1.1 200"]);
    expect(generations()).toBe(before + 1);
  });
});
