// Request bodies are charged to limits.maxBufferedBytes as their bytes arrive, never as their
// Content-Length promises: two clients that declare 64 MiB and send nothing used to hold the whole
// default budget (every other client got 503 until Node's 300 s request timeout). A body that goes
// silent for timeouts.requestIdleMs is refused with 408 and gives its bytes back; /readyz says when
// the budget is refusing work. `Expect: 100-continue` is answered only after auth and the size check,
// and a compressed body is refused with 415 saying so.
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawExchange } from "../hostile/raw.js";
import { config, sha256, startRouter, until, untilAllUp, type Running } from "../harness.js";
import { startFakeEngine, type FakeEngine } from "../../../tools/fakes/index.js";

const KEY = "client-key-9cQe2";
let vllm: FakeEngine;
const routers: Running[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  vllm = await startFakeEngine({ engine: "vllm", models: ["m"], anthropic: true });
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  for (const r of routers) await r.stop();
  await vllm.stop();
});

async function router(extra: Record<string, unknown> = {}): Promise<Running> {
  const r = await startRouter(
    config({
      backends: { spark: { engine: "vllm", url: vllm.url } },
      aliases: { coder: { targets: [{ backend: "spark", model: "m" }] } },
      apiKeys: [{ name: "k", sha256: sha256(KEY), aliases: ["coder"] }],
      ...extra,
    }),
  );
  routers.push(r);
  await untilAllUp(r);
  return r;
}

const port = (r: Running): number => Number(new URL(r.url).port);

/** A request head with an authorised key; the body is up to the caller. */
function head(path: string, headers: Record<string, string>): string {
  const all = { host: "x", "content-type": "application/json", authorization: `Bearer ${KEY}`, ...headers };
  return (
    `POST ${path} HTTP/1.1\r\n` +
    Object.entries(all)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("") +
    "\r\n"
  );
}

function open(r: Running, bytes: string): Socket {
  const s = connect(port(r), "127.0.0.1");
  s.on("error", () => undefined);
  sockets.push(s);
  s.write(bytes);
  return s;
}

const chat = (r: Running): Promise<Response> =>
  fetch(`${r.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ model: "coder", messages: [{ role: "user", content: "hi" }] }),
  });

describe("request bodies and the budget", () => {
  it("two connections that declare 64 MiB and send nothing lock no one out (default limits)", async () => {
    const r = await router();
    const declared = head("/v1/chat/completions", { "content-length": String(64 * 1024 * 1024) });
    open(r, declared);
    open(r, declared + '{"model":"coder"');
    await until(() => r.router.inFlight >= 2, "both requests reading");
    const res = await chat(r);
    expect(res.status, await res.text()).toBe(200);
    expect((await fetch(`${r.url}/readyz`)).status).toBe(200);
    expect(r.router.bodies.buffered).toBeLessThan(100);
  });

  it("a body silent for timeouts.requestIdleMs is answered 408 and its bytes given back", async () => {
    const r = await router({ timeouts: { requestIdleMs: 300 } });
    const res = await rawExchange(port(r), head("/v1/chat/completions", { "content-length": "100000" }) + '{"model":"coder","pad":"' + "x".repeat(50_000));
    expect(res.status).toBe(408);
    expect(res.headers.connection).toBe("close");
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: "request_body_timeout" } });
    await until(() => r.router.bodies.buffered === 0, "the budget emptied");
  });

  it("/readyz is 503 with a reason while the budget refuses bodies, 200 once it has room", async () => {
    const r = await router({ limits: { maxBodyBytes: 100_000, maxBufferedBytes: 150_000 } });
    const held = open(r, head("/v1/chat/completions", { "content-length": "100000" }) + "x".repeat(90_000));
    await until(() => r.router.bodies.buffered >= 90_000, "the bytes held");
    const big = await fetch(`${r.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: "coder", pad: "x".repeat(80_000) }),
    });
    expect(big.status).toBe(503);
    const busy = await fetch(`${r.url}/readyz`);
    expect(busy.status).toBe(503);
    expect(await busy.json()).toMatchObject({ ready: false, reason: expect.stringMatching(/maxBufferedBytes/) as unknown });
    held.destroy();
    await until(() => r.router.bodies.buffered === 0, "the held bytes given back");
    expect((await fetch(`${r.url}/readyz`)).status).toBe(200);
  });
});

describe("Expect: 100-continue", () => {
  it.each([
    ["no key", { authorization: "Bearer wrong" }, 401],
    ["a body over limits.maxBodyBytes", { "content-length": String(65 * 1024 * 1024) }, 413],
  ])("%s: the refusal comes without 100 Continue", async (_name, headers, status) => {
    const r = await router();
    const res = await rawExchange(port(r), head("/v1/chat/completions", { "content-length": "20", expect: "100-continue", ...headers }));
    expect(res.status).toBe(status);
    expect(res.raw).not.toMatch(/100 Continue/);
  });

  it("an accepted request is invited, then served", async () => {
    const r = await router();
    const body = JSON.stringify({ model: "coder", messages: [{ role: "user", content: "hi" }] });
    const s = open(r, head("/v1/chat/completions", { "content-length": String(Buffer.byteLength(body)), expect: "100-continue", connection: "close" }));
    let got = "";
    s.on("data", (c: Buffer) => {
      if (got === "" && c.toString().startsWith("HTTP/1.1 100")) s.write(body);
      got += c.toString();
    });
    await new Promise((resolve) => s.on("close", resolve));
    expect(got).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
  });
});

describe("a compressed request body", () => {
  it.each([
    ["/v1/chat/completions", (b: unknown) => expect(b).toMatchObject({ error: { type: "invalid_request_error", code: "unsupported_encoding" } })],
    ["/v1/messages", (b: unknown) => expect(b).toMatchObject({ type: "error", error: { type: "invalid_request_error" } })],
    ["/api/chat", (b: unknown) => expect(b).toMatchObject({ error: expect.stringMatching(/Content-Encoding "gzip"/) as unknown })],
  ])("%s: 415 saying what is wrong, in the face's dialect", async (path, check) => {
    const r = routers[0] ?? (await router());
    const res = await fetch(r.url + path, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip", authorization: `Bearer ${KEY}`, "anthropic-version": "2023-06-01" },
      body: Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]),
    });
    expect(res.status).toBe(415);
    check(await res.json());
  });
});
