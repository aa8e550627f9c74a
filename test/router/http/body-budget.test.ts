// limits.maxBufferedBytes bounds the bytes of request bodies the router holds at once, across
// requests: beyond it a request is refused with 503 and Retry-After in the client's dialect, and
// every byte is given back when a request is over, however it ended.
import { connect, type Socket } from "node:net";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseRouterConfig } from "../../../router/config/schema.js";
import { rawExchange } from "../hostile/raw.js";
import { config, routerFixture, until, untilAllUp, type Running } from "../harness.js";

type FaceName = "openai" | "anthropic" | "ollama";
const PATH: Record<FaceName, string> = { openai: "/v1/chat/completions", anthropic: "/v1/messages", ollama: "/api/chat" };

const MAX_BODY = 1_000_000;
const BUDGET = 1_500_000;

/** A request body of about `bytes` bytes in the face's dialect. */
function body(face: FaceName, bytes: number): string {
  const messages = [{ role: "user", content: "x".repeat(Math.max(0, bytes - 120)) }];
  if (face === "anthropic") return JSON.stringify({ model: "coder", max_tokens: 8, messages });
  if (face === "ollama") return JSON.stringify({ model: "coder", messages, stream: false });
  return JSON.stringify({ model: "coder", messages });
}

const head = (face: FaceName, framing: string): string =>
  `POST ${PATH[face]} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nanthropic-version: 2023-06-01\r\nconnection: close\r\n${framing}\r\n`;

/** Checks a 503 in the face's own error shape with Retry-After. */
function expectBusy(face: FaceName, status: number, retryAfter: string | null | undefined, text: string): void {
  expect(status, text.slice(0, 200)).toBe(503);
  expect(retryAfter).toBe("1");
  const e = JSON.parse(text) as { type?: string; error?: { type?: string; message?: string } | string };
  if (face === "ollama") expect(e.error).toMatch(/maxBufferedBytes/);
  else if (face === "anthropic") expect(e).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
  else expect(e).toMatchObject({ error: { type: "server_error" } });
}

describe("limits.maxBufferedBytes", () => {
  const fx = routerFixture("all");
  let r: Running;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    const vllm = await fx.fake({ engine: "vllm", models: ["m"], anthropic: true });
    r = await fx.router(
      config({
        backends: { spark: { engine: "vllm", url: vllm.url } },
        aliases: { coder: { targets: [{ backend: "spark", model: "m" }] } },
        limits: { maxBodyBytes: MAX_BODY, maxBufferedBytes: BUDGET },
      }),
    );
    await untilAllUp(r);
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    // Whatever a test did, every byte is given back once its requests are over.
    await until(() => r.router.bodies.buffered === 0, "the budget emptied");
  });

  /** Starts a request that sends `bytes` of a longer body and waits: the router holds what arrived. */
  async function holdOpen(face: FaceName, bytes: number): Promise<Socket> {
    const before = r.router.bodies.buffered;
    const s = connect(Number(new URL(r.url).port), "127.0.0.1");
    sockets.push(s);
    s.on("error", () => undefined);
    s.write(head(face, `content-length: ${bytes + 10}\r\n`) + "x".repeat(bytes));
    await until(() => r.router.bodies.buffered >= before + bytes, "the bytes held");
    return s;
  }

  describe.each(["openai", "anthropic", "ollama"] as const)("on the %s face", (face) => {
    it("refuses a body beyond the budget with 503 and Retry-After, serves one that fits, and serves it again once the budget is free", async () => {
      const send = (bytes: number): Promise<Response> =>
        fetch(r.url + PATH[face], {
          method: "POST",
          headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
          body: body(face, bytes),
        });
      const held = await holdOpen(face, 900_000);
      const big = await send(700_000);
      expectBusy(face, big.status, big.headers.get("retry-after"), await big.text());
      // A body that fits beside the held one is served.
      const small = await send(300_000);
      expect(small.status, (await small.text()).slice(0, 200)).toBe(200);
      // The client that held the budget leaves: its bytes are given back, the big body now fits.
      held.destroy();
      await until(() => r.router.bodies.buffered === 0, "the held reservation given back");
      const again = await send(700_000);
      expect(again.status, (await again.text()).slice(0, 200)).toBe(200);
    });

    it("refuses a chunked body as soon as it outgrows the budget", async () => {
      await holdOpen(face, 900_000);
      const chunk = "x".repeat(400_000);
      // The body with an empty message, cut inside the message's quotes: two chunks of content go there.
      const empty = body(face, 0);
      const cut = empty.indexOf('"content":""') + '"content":"'.length;
      const parts = [empty.slice(0, cut), chunk, chunk, empty.slice(cut)];
      const raw = head(face, "transfer-encoding: chunked\r\n") + parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join("") + "0\r\n\r\n";
      const res = await rawExchange(Number(new URL(r.url).port), raw);
      expectBusy(face, res.status, res.headers["retry-after"], res.body);
    });
  });

  it("gives every byte back after requests that succeeded or were refused (the afterEach checks it)", async () => {
    await Promise.all(
      [
        fetch(`${r.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: body("openai", 200_000) }).then((x) =>
          x.text(),
        ),
        fetch(`${r.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" }).then((x) => x.text()),
        fetch(`${r.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: body("openai", MAX_BODY + 10) }).then(
          (x) => x.text(),
        ),
      ].map((p) => p.catch(() => undefined)),
    );
    await until(() => r.router.bodies.buffered === 0, "the budget emptied");
  });
});

describe("limits.maxBufferedBytes in the config", () => {
  const base = { backends: { b: { engine: "vllm", url: "http://127.0.0.1:1" } }, aliases: { a: { targets: [{ backend: "b", model: "m" }] } } };

  it("defaults to 128 MiB, twice the default body cap", () => {
    const r = parseRouterConfig(base);
    expect(r.ok && r.config.limits).toMatchObject({ maxBodyBytes: 64 * 1024 * 1024, maxBufferedBytes: 128 * 1024 * 1024 });
  });

  it("must hold at least one body of the largest allowed size", () => {
    const r = parseRouterConfig({ ...base, limits: { maxBodyBytes: 2000, maxBufferedBytes: 1000 } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.path)).toEqual(["limits.maxBufferedBytes"]);
  });
});
