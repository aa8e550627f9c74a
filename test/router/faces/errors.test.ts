// Every error path of the Anthropic and Ollama faces through the router, each in its dialect's shape:
// Anthropic {"type":"error","error":{"type","message"}}, Ollama {"error":"..."}. The paths the other
// face tests already cover (auth, scope, unknown model, bad body, context overflow, backend 400/429/500,
// management calls) live in anthropic.test.ts and ollama.test.ts; this file adds the rest.
import { beforeAll, describe, expect, it } from "vitest";
import type { FakeEngine } from "../../../tools/fakes/index.js";
import { config, facesFixture, until, type Running } from "./harness.js";

const MAX_BODY = 8 * 1024;

describe("error paths in each dialect's shape", () => {
  let vllm: FakeEngine;
  let ollama: FakeEngine;
  let gone: FakeEngine;
  let r: Running;
  const fx = facesFixture();

  beforeAll(async () => {
    vllm = await fx.fake({ engine: "vllm", models: ["m"] });
    ollama = await fx.fake({ engine: "ollama", models: ["m"], loaded: ["m"] });
    // A backend whose port is closed: every attempt is refused.
    gone = await fx.fake({ engine: "vllm", models: ["m"] });
    await gone.stop();
    r = await fx.router(
      config({
        backends: {
          vllm: { engine: "vllm", url: vllm.url },
          ollama: { engine: "ollama", url: ollama.url },
          gone: { engine: "vllm", url: gone.url },
        },
        aliases: {
          coder: { targets: [{ backend: "vllm", model: "m" }] },
          local: { targets: [{ backend: "ollama", model: "m" }] },
          down: { targets: [{ backend: "gone", model: "m" }] },
        },
        limits: { maxBodyBytes: MAX_BODY },
      }),
    );
    await until(() => r.router.registry.get("gone")?.health === "down", "the closed backend seen down");
  });

  interface Answer {
    status: number;
    body: unknown;
    headers: Headers;
  }

  async function call(method: string, path: string, body?: unknown): Promise<Answer> {
    const res = await fetch(r.url + path, {
      method,
      headers: { "content-type": "application/json" },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) as unknown, headers: res.headers };
  }

  const messages = [{ role: "user", content: "hi" }];
  const tooBig = { model: "coder", max_tokens: 10, messages: [{ role: "user", content: "x".repeat(MAX_BODY * 2) }] };

  describe("Anthropic", () => {
    it.each([
      ["413 body too large", "POST", "/v1/messages", tooBig, 413, "request_too_large"],
      ["413 under /api/v1 (Claude Code's base URL)", "POST", "/api/v1/messages", tooBig, 413, "request_too_large"],
      ["405 GET on messages", "GET", "/v1/messages", undefined, 405, "invalid_request_error"],
      ["405 GET on count_tokens", "GET", "/api/v1/messages/count_tokens", undefined, 405, "invalid_request_error"],
      ["404 unknown path under messages", "POST", "/v1/messages/batches", { model: "coder" }, 404, "not_found_error"],
      ["404 unknown path under /api/v1/messages", "POST", "/api/v1/messages/nope", { model: "coder" }, 404, "not_found_error"],
      ["502 every backend of the alias unreachable", "POST", "/v1/messages", { model: "down", max_tokens: 10, messages }, 502, "api_error"],
    ])("%s", async (_name, method, path, body, status, type) => {
      const a = await call(method, path, body);
      expect(a.status).toBe(status);
      expect(a.body).toEqual({ type: "error", error: { type, message: expect.any(String) as unknown } });
      expect(a.headers.get("content-type")).toContain("application/json");
    });

    it("503 when the only backend is busy: overloaded_error with retry-after, which Anthropic clients retry", async () => {
      ollama.faults.set({
        mode: "status",
        status: 503,
        statusCount: 1,
        retryAfterS: 1,
        body: JSON.stringify({ error: "server busy, please try again.  maximum pending requests exceeded" }),
      });
      try {
        const a = await call("POST", "/v1/messages", { model: "local", max_tokens: 10, messages });
        expect(a.status).toBe(503);
        expect(a.body).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
        expect(a.headers.get("retry-after")).toBe("1");
      } finally {
        ollama.faults.clear();
      }
    });

    it("the SDK raises the unreachable alias as a 502 APIError", async () => {
      await expect(r.anthropic().messages.create({ model: "down", max_tokens: 10, messages: [{ role: "user", content: "hi" }] })).rejects.toMatchObject({
        status: 502,
        type: "api_error",
      });
    });
  });

  describe("Ollama", () => {
    it.each([
      ["413 body too large", "POST", "/api/chat", { ...tooBig, max_tokens: undefined }, 413],
      ["405 GET on chat", "GET", "/api/chat", undefined, 405],
      ["405 POST on tags", "POST", "/api/tags", {}, 405],
      ["404 unknown path under /api/", "POST", "/api/nonexistent", { model: "coder" }, 404],
      ["404 unknown GET under /api/", "GET", "/api/whatever", undefined, 404],
      ["502 every backend of the alias unreachable", "POST", "/api/chat", { model: "down", messages, stream: false }, 502],
      ["502 streamed: the error comes before any line, as a status", "POST", "/api/generate", { model: "down", prompt: "hi" }, 502],
    ])("%s", async (_name, method, path, body, status) => {
      const a = await call(method, path, body);
      expect(a.status).toBe(status);
      expect(a.body).toEqual({ error: expect.any(String) as unknown });
    });

    it('503 when the only backend is busy: {"error"} with retry-after', async () => {
      ollama.faults.set({
        mode: "status",
        status: 503,
        statusCount: 1,
        retryAfterS: 1,
        body: JSON.stringify({ error: "server busy, please try again.  maximum pending requests exceeded" }),
      });
      try {
        const a = await call("POST", "/api/chat", { model: "local", messages, stream: false });
        expect(a.status).toBe(503);
        expect(a.body).toEqual({ error: expect.stringMatching(/busy/) as unknown });
        expect(a.headers.get("retry-after")).toBe("1");
      } finally {
        ollama.faults.clear();
      }
    });

    it("the ollama client raises the unreachable alias with its status", async () => {
      const err = (await r
        .ollama()
        .chat({ model: "down", messages, stream: true })
        .then(
          () => undefined,
          (e: unknown) => e,
        )) as { status_code?: number; error?: string } | undefined;
      expect(err?.status_code).toBe(502);
      expect(err?.error).toMatch(/unreachable/);
    });
  });

  describe("405 says which methods the path takes (Allow)", () => {
    it.each([
      ["GET", "/v1/chat/completions", "POST", "openai"],
      ["DELETE", "/api/v1/models", "GET, HEAD", "openai"],
      ["GET", "/v1/messages", "POST", "anthropic"],
      ["GET", "/api/chat", "POST", "ollama"],
      ["POST", "/api/tags", "GET, HEAD", "ollama"],
      ["GET", "/api/delete", "DELETE", "ollama"],
      ["POST", "/healthz", "GET, HEAD", "openai"],
      ["PUT", "/metrics", "GET, HEAD", "openai"],
    ])("%s %s → Allow: %s", async (method, path, allow, dialect) => {
      const a = await call(method, path, method === "GET" || method === "DELETE" ? undefined : {});
      expect(a.status).toBe(405);
      expect(a.headers.get("allow")).toBe(allow);
      if (dialect === "ollama") expect(a.body).toEqual({ error: expect.stringContaining(`method ${method} not allowed`) as unknown });
      else if (dialect === "anthropic") expect(a.body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
      else expect(a.body).toMatchObject({ error: { type: "invalid_request_error" } });
    });
  });
});
