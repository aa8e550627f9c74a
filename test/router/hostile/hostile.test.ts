// Hostile input, for each face (OpenAI, Anthropic, Ollama): every case gets the right status in the
// dialect's error shape (or, for framing the HTTP parser refuses, Node's bare 400/431 before any face
// is known); the router keeps serving; nothing leaks (stack traces, the backend's key, client keys,
// another client's prompt) in answers or log lines; no URL from a request is ever fetched.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeEngine } from "../../../tools/fakes/index.js";
import { startFakeEngine } from "../../../tools/fakes/index.js";
import { nestedDeeperThan } from "../../../router/http/json-depth.js";
import { config, sha256, startRouter, type Running } from "../reliability/harness.js";
import { rawExchange, startSentinel, type RawResponse, type Sentinel } from "./raw.js";

type FaceName = "openai" | "anthropic" | "ollama";
const FACES: FaceName[] = ["openai", "anthropic", "ollama"];

const BACKEND_KEY = "backend-key-Zq81xW";
const FULL_KEY = "client-full-Yt55pe";
const SCOPED_KEY = "client-scoped-Hh20ka";
const PROMPT = "PROMPT-SECRET";
const LIMIT = 1024 * 1024;

let vllm: FakeEngine;
let r: Running;
let sentinel: Sentinel;
let port: number;

beforeAll(async () => {
  sentinel = await startSentinel();
  vllm = await startFakeEngine({ engine: "vllm", models: ["m"], apiKey: BACKEND_KEY, anthropic: true });
  r = await startRouter(
    config({
      backends: { spark: { engine: "vllm", url: vllm.url, apiKey: BACKEND_KEY } },
      aliases: { coder: { targets: [{ backend: "spark", model: "m" }] }, other: { targets: [{ backend: "spark", model: "m" }] } },
      apiKeys: [
        { name: "full", sha256: sha256(FULL_KEY) },
        { name: "scoped", sha256: sha256(SCOPED_KEY), aliases: ["coder"] },
      ],
      limits: { maxBodyBytes: LIMIT },
    }),
  );
  port = Number(new URL(r.url).port);
});
afterAll(async () => {
  await r.stop();
  await vllm.stop();
  await sentinel.close();
});

const PATH: Record<FaceName, string> = { openai: "/v1/chat/completions", anthropic: "/v1/messages", ollama: "/api/chat" };

function request(face: FaceName, model: unknown, content: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const messages = [{ role: "user", content }];
  if (face === "anthropic") return { model, max_tokens: 16, messages, ...extra };
  if (face === "ollama") return { model, messages, stream: false, ...extra };
  return { model, messages, ...extra };
}

interface Case {
  name: string;
  /** Raw bytes to send; built from the fields below when absent. */
  raw?: (face: FaceName, marker: string) => Buffer | string;
  body?: (face: FaceName, marker: string) => Buffer | string;
  headers?: Record<string, string>;
  method?: string;
  /** Leave out the client key. */
  noAuth?: boolean;
  status: number | number[];
  /** The HTTP parser refuses it before any face sees it: Node's bare answer, no dialect shape. */
  connectionLevel?: boolean;
  after?: (face: FaceName, res: RawResponse) => void;
}

const json = (v: unknown): string => JSON.stringify(v);
const say = (marker: string): string => `${marker} ${PROMPT} hello`;

/** Points SENTINEL placeholders at the listener that must never be contacted. */
function aim(text: string): string {
  return text.replaceAll("SENTINEL_HOST", new URL(sentinel.url).host).replaceAll("SENTINEL", sentinel.url);
}

function build(face: FaceName, c: Case, marker: string): Buffer {
  if (c.raw) {
    const raw = c.raw(face, marker);
    return Buffer.isBuffer(raw) ? raw : Buffer.from(raw, "latin1");
  }
  const body = c.body ? c.body(face, marker) : json(request(face, "coder", say(marker)));
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(aim(body), "utf8");
  const headers: Record<string, string> = {
    host: "127.0.0.1",
    connection: "close",
    "content-type": "application/json",
    "anthropic-version": "2023-06-01",
    ...(c.noAuth ? {} : { authorization: `Bearer ${FULL_KEY}` }),
    ...Object.fromEntries(Object.entries(c.headers ?? {}).map(([k, v]) => [k, aim(v)])),
  };
  if (!("content-length" in headers) && !("transfer-encoding" in headers)) headers["content-length"] = String(bytes.length);
  const head =
    `${c.method ?? "POST"} ${PATH[face]} HTTP/1.1\r\n` +
    Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("") +
    "\r\n";
  return Buffer.concat([Buffer.from(head, "latin1"), bytes]);
}

/** Deeply nested JSON, written out (a recursive serializer would overflow first). */
const nested = (depth: number): string => "[".repeat(depth) + "]".repeat(depth);
const withField = (face: FaceName, marker: string, fields: Record<string, unknown>): string => json(request(face, "coder", say(marker), fields));

function imageRequest(face: FaceName, marker: string, url: string): string {
  if (face === "openai")
    return json(
      request(face, "coder", [
        { type: "text", text: say(marker) },
        { type: "image_url", image_url: { url } },
      ]),
    );
  if (face === "anthropic")
    return json(
      request(face, "coder", [
        { type: "text", text: say(marker) },
        { type: "image", source: { type: "url", url } },
      ]),
    );
  return json({ model: "coder", stream: false, messages: [{ role: "user", content: say(marker), images: [url] }] });
}

const CASES: Case[] = [
  // Malformed bodies.
  { name: "invalid JSON", body: () => "{not json", status: 400 },
  { name: "truncated JSON", body: (f, m) => withField(f, m, {}).slice(0, 20), status: 400 },
  { name: "a JSON array", body: () => "[1,2,3]", status: 400 },
  { name: "a JSON string", body: () => '"coder"', status: 400 },
  { name: "JSON null", body: () => "null", status: 400 },
  { name: "an empty body", body: () => "", status: 400 },
  { name: "model is a number", body: (f, m) => json(request(f, 7, say(m))), status: 400 },
  { name: "model is an object", body: (f, m) => json(request(f, { $ne: null }, say(m))), status: 400 },
  { name: "model missing", body: (f, m) => json({ ...request(f, "coder", say(m)), model: undefined }), status: 400 },
  { name: "messages is a string", body: (f, m) => json({ ...request(f, "coder", say(m)), messages: "hi" }), status: 400 },
  // The OpenAI face passes same-dialect bodies through: the engine validates their contents (vLLM
  // answers 400, the fake is lenient); translating faces validate themselves.
  { name: "a message content of the wrong type", body: (f) => json(request(f, "coder", 12345)), status: [200, 400] },
  { name: "stream of the wrong type", body: (f, m) => withField(f, m, { stream: "yes" }), status: [200, 400] },
  {
    name: "deeply nested JSON (20,000 levels)",
    body: (f, m) => `{"model":"coder","x":${nested(20_000)},"messages":[{"role":"user","content":"${say(m)}"}]}`,
    status: 400,
  },
  { name: "nested content parts (5,000 levels)", body: (f) => json(request(f, "coder", "x")).replace('"x"', nested(5_000)), status: 400 },
  {
    name: "invalid UTF-8 inside a string",
    body: (f, m) =>
      Buffer.concat([Buffer.from(withField(f, m, {}).slice(0, -2)), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from(withField(f, m, {}).slice(-2))]),
    status: [200, 400],
  },
  { name: "invalid UTF-8 outside strings", body: () => Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), status: 400 },
  // Size limits.
  { name: "a body over limits.maxBodyBytes", body: (f, m) => withField(f, m, { pad: "x".repeat(LIMIT + 10) }), status: 413 },
  { name: "a declared content-length over the limit", headers: { "content-length": String(LIMIT * 4) }, body: () => "{}", status: 413 },
  {
    name: "10,000 messages",
    body: (f, m) =>
      json({
        ...request(f, "coder", say(m)),
        messages: Array.from({ length: 10_000 }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: i === 9_999 ? say(m) : "x" })),
      }),
    status: [200, 400],
  },
  // Model names.
  { name: "an unknown model", body: (f, m) => json(request(f, "gpt-9", say(m))), status: 404 },
  { name: "a path-like model ../../etc/passwd", body: (f, m) => json(request(f, "../../etc/passwd", say(m))), status: 404 },
  { name: "a path-like model coder/../x", body: (f, m) => json(request(f, "coder/../x", say(m))), status: 404 },
  { name: "a model named __proto__", body: (f, m) => json(request(f, "__proto__", say(m))), status: 404 },
  { name: "a model named constructor", body: (f, m) => json(request(f, "constructor", say(m))), status: 404 },
  { name: "a model with a newline", body: (f, m) => json(request(f, "coder\nx-injected: 1", say(m))), status: 404 },
  { name: "an empty model", body: (f, m) => json(request(f, "", say(m))), status: [400, 404] },
  {
    name: "a 10,000-character model name",
    body: (f, m) => json(request(f, "q".repeat(10_000), say(m))),
    status: 404,
    after: (_f, res) => expect(res.body.length).toBeLessThan(2_000),
  },
  // Authentication and scope.
  { name: "no key", noAuth: true, status: 401 },
  { name: "a wrong key (Authorization)", noAuth: true, headers: { authorization: "Bearer not-a-key" }, status: 401 },
  { name: "a wrong key (x-api-key)", noAuth: true, headers: { "x-api-key": "not-a-key" }, status: 401 },
  { name: "an empty Bearer", noAuth: true, headers: { authorization: "Bearer " }, status: 401 },
  { name: "Basic instead of Bearer", noAuth: true, headers: { authorization: `Basic ${Buffer.from(`u:${FULL_KEY}x`).toString("base64")}` }, status: 401 },
  { name: "the right key in x-api-key", noAuth: true, headers: { "x-api-key": FULL_KEY }, status: 200 },
  { name: "a scoped key for its alias", noAuth: true, headers: { authorization: `Bearer ${SCOPED_KEY}` }, status: 200 },
  {
    name: "a scoped key for another alias (Authorization)",
    noAuth: true,
    headers: { authorization: `Bearer ${SCOPED_KEY}` },
    body: (f, m) => json(request(f, "other", say(m))),
    status: 404,
  },
  {
    name: "a scoped key for another alias (x-api-key)",
    noAuth: true,
    headers: { "x-api-key": SCOPED_KEY },
    body: (f, m) => json(request(f, "other", say(m))),
    status: 404,
  },
  // Framing the HTTP parser must refuse.
  {
    name: "CRLF injected in a header value",
    raw: (f, m) => `POST ${PATH[f]} HTTP/1.1\r\nhost: x\r\nconnection: close\r\nx-evil: a\rinjected: 1\r\ncontent-length: 2\r\n\r\n{}${m}`,
    status: 400,
    connectionLevel: true,
  },
  { name: "oversized headers (64 KiB)", headers: { "x-big": "a".repeat(64 * 1024) }, status: 431, connectionLevel: true },
  {
    name: "content-length and transfer-encoding together",
    raw: (f) => `POST ${PATH[f]} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 4\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    status: 400,
    connectionLevel: true,
  },
  {
    name: "a valid chunked body",
    headers: { "transfer-encoding": "chunked" },
    body: (f, m) => {
      const b = withField(f, m, {});
      return `${Buffer.byteLength(b).toString(16)}\r\n${b}\r\n0\r\n\r\n`;
    },
    status: 200,
  },
  { name: "the wrong method", method: "GET", body: () => "", status: 405 },
  // Client-supplied destinations: ignored, never contacted.
  { name: "an api_base field", body: (f, m) => withField(f, m, { api_base: "SENTINEL" }), status: 200 },
  { name: "base_url, url and backend fields", body: (f, m) => withField(f, m, { base_url: "SENTINEL", url: "SENTINEL", backend: "SENTINEL" }), status: 200 },
  { name: "an image URL pointing elsewhere", body: (f, m) => imageRequest(f, m, "SENTINEL/latest/meta-data"), status: [200, 400] },
  {
    name: "a tool whose schema carries $ref URLs",
    body: (f, m) =>
      withField(f, m, {
        tools:
          f === "anthropic"
            ? [{ name: "t", input_schema: { $ref: "SENTINEL/schema" } }]
            : [{ type: "function", function: { name: "t", parameters: { $ref: "SENTINEL/schema" } } }],
      }),
    status: [200, 400],
  },
  {
    name: "Host and X-Forwarded-Host pointing elsewhere",
    headers: { host: "SENTINEL_HOST", "x-forwarded-host": "SENTINEL_HOST", "x-forwarded-proto": "http" },
    status: 200,
  },
];

describe.each(FACES)("hostile input on the %s face", (face) => {
  const markers: string[] = [];

  it.each(CASES.map((c, i) => [c.name, c, i] as const))("%s", async (_name, c, i) => {
    const marker = `${face}-case${i}-mk`;
    markers.push(marker);
    const sentinelBefore = sentinel.connections;
    const res = await rawExchange(port, build(face, c, marker));
    const statuses = Array.isArray(c.status) ? c.status : [c.status];
    expect(statuses, `status ${res.status}: ${res.body.slice(0, 300)}`).toContain(res.status);
    if (res.status >= 400 && !c.connectionLevel) {
      const e = JSON.parse(res.body) as { type?: unknown; error?: { message?: unknown; type?: unknown } | string };
      if (face === "ollama") expect(typeof e.error).toBe("string");
      else {
        const inner = typeof e.error === "object" ? e.error : {};
        expect(typeof inner.message).toBe("string");
        expect(typeof inner.type).toBe("string");
        if (face === "anthropic") expect(e.type).toBe("error");
      }
    }
    if (res.status === 200) {
      const body = JSON.parse(res.body) as Record<string, unknown>;
      if (face === "openai") expect(body).toHaveProperty("choices");
      if (face === "anthropic") expect(body).toMatchObject({ type: "message" });
      if (face === "ollama") expect(body).toMatchObject({ done: true });
      // The backend got the router's own request: no destination fields, no client key.
      const seen = JSON.stringify(vllm.stats.lastRequestBody ?? {});
      // The destination fields of litellm CVE-2024-6587 are dropped; other names are plain data to the engine.
      for (const field of ["api_base", "base_url"]) expect(seen).not.toContain(field);
      expect(JSON.stringify(vllm.stats.lastRequestHeaders)).not.toContain("client-");
    }
    c.after?.(face, res);
    // Nothing leaks: no stack trace, no key, no other request's prompt.
    expect(res.body).not.toMatch(/\bat [^\s]+ \(?[^\s]*\.(ts|js):\d+/);
    for (const secret of [BACKEND_KEY, FULL_KEY, SCOPED_KEY]) expect(res.body).not.toContain(secret);
    for (const other of markers) if (other !== marker) expect(res.body).not.toContain(other);
    // No URL taken from a request was ever contacted.
    expect(sentinel.connections).toBe(sentinelBefore);
    // And the router keeps serving.
    const health = await fetch(`${r.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it("logged nothing it should not: no prompt text, no key", () => {
    const text = r.logs.join("\n");
    expect(text.length).toBeGreaterThan(0);
    for (const secret of [PROMPT, BACKEND_KEY, FULL_KEY, SCOPED_KEY]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/\bat [^\s]+ \(?[^\s]*\.(ts|js):\d+/);
    expect(sentinel.connections).toBe(0);
  });
});

describe("nesting depth check", () => {
  // Containers count from 0 at the root: `limit` levels of them are allowed.
  it.each([
    ["a number", 1, 1, false],
    ["3 nested arrays", JSON.parse(nested(3)) as unknown, 3, false],
    ["4 nested arrays", JSON.parse(nested(4)) as unknown, 3, true],
    ["object > array > object with a scalar", { a: [{ b: 1 }] }, 3, false],
    ["object > array > object > object", { a: [{ b: {} }] }, 3, true],
    ["a string that looks nested", "[[[[", 1, false],
  ] as const)("%s, limit %i: %s", (_label, value, limit, deeper) => {
    expect(nestedDeeperThan(value, limit)).toBe(deeper);
  });
});

describe("a body that trickles in (slowloris)", () => {
  it("is bounded by the server's header and request timeouts, and does not stop others being served", async () => {
    // Node closes a connection whose headers (headersTimeout) or whole request (requestTimeout) take
    // longer than these; 0 would mean never.
    expect(r.router.server.headersTimeout).toBeGreaterThan(0);
    expect(r.router.server.requestTimeout).toBeGreaterThan(0);
    expect(r.router.server.requestTimeout).toBeLessThanOrEqual(300_000);
    const { connect } = await import("node:net");
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => undefined);
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    socket.write(
      `POST /v1/chat/completions\r\n`.replace("\r\n", " HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n") +
        `authorization: Bearer ${FULL_KEY}\r\ncontent-length: 1000\r\n\r\n{"mo`,
    );
    for (let i = 0; i < 5; i++) {
      socket.write("d");
      const res = await fetch(`${r.url}/healthz`);
      expect(res.status).toBe(200);
      const other = await rawExchange(port, build("openai", { name: "alongside", status: 200 }, `trickle${i}`));
      expect(other.status).toBe(200);
    }
    socket.destroy();
  });
});
