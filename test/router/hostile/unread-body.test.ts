// A request the router refuses before reading its body (no key, a wrong key, an unknown path, a wrong
// method) must not keep the router reading: the answer says `Connection: close` and the connection
// is closed while the client is still sending. Without that, one client with no key could push
// gigabytes through a kept-alive connection that the router reads and throws away.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeEngine, type FakeEngine } from "../../../tools/fakes/index.js";
import { config, sha256, startRouter, type Running } from "../reliability/harness.js";
import { rawExchange, uploadUntilClosed } from "./raw.js";

const KEY = "client-key-Ur41mq";
const DECLARED = 60 * 1024 * 1024;
const PUSHED = 48 * 1024 * 1024;

let vllm: FakeEngine;
let r: Running;
let port: number;

beforeAll(async () => {
  vllm = await startFakeEngine({ engine: "vllm", models: ["m"] });
  r = await startRouter(
    config({
      backends: { spark: { engine: "vllm", url: vllm.url } },
      aliases: { coder: { targets: [{ backend: "spark", model: "m" }] } },
      apiKeys: [{ name: "k", sha256: sha256(KEY) }],
    }),
  );
  port = Number(new URL(r.url).port);
});
afterAll(async () => {
  await r.stop();
  await vllm.stop();
});

function head(method: string, path: string, headers: Record<string, string>): string {
  const all = { host: "127.0.0.1", "content-type": "application/json", ...headers };
  return (
    `${method} ${path} HTTP/1.1\r\n` +
    Object.entries(all)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("") +
    "\r\n"
  );
}

const declared = { "content-length": String(DECLARED) };
// One chunk announced as large as the push, so the bytes that follow are valid framing.
const chunked = { "transfer-encoding": "chunked" };
const chunkHead = `${PUSHED.toString(16)}\r\n`;

describe("a request refused before its body is read", () => {
  it.each([
    ["no key (OpenAI face)", "POST", "/v1/chat/completions", declared, 401],
    ["a wrong key (Anthropic face)", "POST", "/v1/messages", { ...declared, "x-api-key": "wrong" }, 401],
    ["no key, chunked (Ollama face)", "POST", "/api/chat", chunked, 401],
    ["an unknown path", "POST", "/v1/no-such-path", { ...declared, authorization: `Bearer ${KEY}` }, 404],
    ["the wrong method", "PUT", "/v1/chat/completions", { ...declared, authorization: `Bearer ${KEY}` }, 405],
    ["a path nobody serves, with a body", "POST", "/nothing", declared, 404],
  ] as const)("%s: the answer says Connection: close, and the connection is closed mid-upload", async (_name, method, path, headers, status) => {
    const first = "transfer-encoding" in headers ? chunkHead : "";
    const up = await uploadUntilClosed(port, head(method, path, headers) + first, PUSHED);
    expect(up.response.status).toBe(status);
    expect(up.response.headers.connection).toBe("close");
    expect(up.closedByRouter).toBe(true);
    // The router is not busy reading anything: it answers at once.
    expect((await fetch(`${r.url}/healthz`)).status).toBe(200);
  });

  it("keeps the connection when the whole body was read (an unknown alias)", async () => {
    const body = JSON.stringify({ model: "nope", messages: [{ role: "user", content: "x" }] });
    const one = head("POST", "/v1/chat/completions", { authorization: `Bearer ${KEY}`, "content-length": String(Buffer.byteLength(body)) }) + body;
    const two = head("GET", "/healthz", { connection: "close" });
    const res = await rawExchange(port, one + two);
    expect(res.status).toBe(404);
    expect(res.headers.connection).not.toBe("close");
    // The second request on the same connection was answered too.
    expect(res.raw).toContain("HTTP/1.1 200");
  });
});
