// What a backend sends that the client cannot be given. A whole (non-streamed) answer translated to
// another dialect is held and converted before anything is sent, so a body that is not JSON, or one
// cut mid-body, is the backend's failure: the next target answers, or the client gets 502 in its own
// dialect (never a 200 carrying an error, never a connection closed without a status). A whole answer
// past limits.maxAnswerBytes is refused with 502; a streamed line past limits.maxLineBytes ends the
// stream with an in-band error. Each counts against the backend (router_upstream_failures_total).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { config, startRouter, untilAllUp, type Running } from "../harness.js";

const MAX = 64 * 1024;

function completion(model: string): string {
  return JSON.stringify({
    id: "c",
    object: "chat.completion",
    created: 1,
    model,
    choices: [{ index: 0, message: { role: "assistant", content: "hello" }, finish_reason: "stop" }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });
}

/** An OpenAI-compatible backend whose answer depends on the model asked for. */
function backend(): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === "/v1/models") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ object: "list", data: ["good", "notjson", "cut", "big", "longline"].map((id) => ({ id, object: "model" })) }));
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const model = (JSON.parse(Buffer.concat(chunks).toString()) as { model: string }).model;
      if (model === "notjson") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end("<html>upstream proxy error</html>");
      } else if (model === "cut") {
        res.writeHead(200, { "content-type": "application/json", "content-length": "5000" });
        res.write(completion(model).slice(0, 40));
        setTimeout(() => res.destroy(), 20);
      } else if (model === "big") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ ...(JSON.parse(completion(model)) as object), pad: "x".repeat(2 * MAX) }));
      } else if (model === "longline") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        const chunk = {
          id: "c",
          object: "chat.completion.chunk",
          created: 1,
          model,
          choices: [{ index: 0, delta: { content: "x".repeat(2 * MAX) }, finish_reason: null }],
        };
        const text = `data: ${JSON.stringify(chunk)}\n\n`;
        // In pieces, as a network would deliver it.
        for (let i = 0; i < text.length; i += 4096) res.write(text.slice(i, i + 4096));
        res.end("data: [DONE]\n\n");
      } else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(completion(model));
      }
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

let bad: Server;
let good: Server;
let r: Running;

beforeAll(async () => {
  bad = await backend();
  good = await backend();
  const url = (s: Server): string => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  const only = (model: string) => ({ targets: [{ backend: "bad", model }] });
  r = await startRouter(
    config({
      backends: { bad: { engine: "openai", url: url(bad) }, good: { engine: "openai", url: url(good) } },
      aliases: {
        notjson: only("notjson"),
        cut: only("cut"),
        big: only("big"),
        longline: only("longline"),
        "notjson-then-good": {
          targets: [
            { backend: "bad", model: "notjson" },
            { backend: "good", model: "good" },
          ],
        },
        "cut-then-good": {
          targets: [
            { backend: "bad", model: "cut" },
            { backend: "good", model: "good" },
          ],
        },
      },
      limits: { maxAnswerBytes: MAX, maxLineBytes: MAX },
      // Every failure here is on purpose: none may eject the backend for the next case.
      ejection: { consecutiveFailures: 1000 },
    }),
  );
  await untilAllUp(r);
});
afterAll(async () => {
  await r.stop();
  bad.close();
  good.close();
});

async function post(path: string, body: unknown): Promise<{ status: number; text: string; backend: string | null }> {
  const res = await fetch(r.url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text(), backend: res.headers.get("x-router-backend") };
}

const ollama = (model: string) => post("/api/chat", { model, stream: false, messages: [{ role: "user", content: "hi" }] });
const anthropic = (model: string) => post("/v1/messages", { model, max_tokens: 16, messages: [{ role: "user", content: "hi" }] });

async function failures(reason: string): Promise<number> {
  const text = await r.router.metrics.registry.metrics();
  const line = text.split("\n").find((l) => l.startsWith("router_upstream_failures_total") && l.includes('backend="bad"') && l.includes(`reason="${reason}"`));
  return line ? Number(line.split(" ").pop()) : 0;
}

describe("a whole translated answer the client cannot be given", () => {
  it.each([
    ["not JSON", "notjson", "malformed-answer"],
    ["cut mid-body", "cut", "reset-after-headers"],
  ])("%s: 502 in the client's dialect (Ollama and Anthropic faces), the backend blamed", async (_name, alias, reason) => {
    const before = await failures(reason);
    const o = await ollama(alias);
    expect(o.status).toBe(502);
    expect((JSON.parse(o.text) as { error: string }).error).toMatch(/backend bad/);
    const a = await anthropic(alias);
    expect(a.status).toBe(502);
    expect(JSON.parse(a.text)).toMatchObject({ type: "error", error: { type: "api_error" } });
    expect(await failures(reason)).toBe(before + 2);
  });

  it.each([["notjson-then-good"], ["cut-then-good"]])("%s: the next target answers, nothing of the first was sent", async (alias) => {
    const o = await ollama(alias);
    expect(o.status).toBe(200);
    expect(o.backend).toBe("good");
    expect(JSON.parse(o.text)).toMatchObject({ message: { content: "hello" }, done: true });
  });

  it("a whole answer past limits.maxAnswerBytes: 502, not held", async () => {
    const before = await failures("answer-too-large");
    const o = await ollama("big");
    expect(o.status).toBe(502);
    expect(o.text).toMatch(/maxAnswerBytes/);
    expect(await failures("answer-too-large")).toBe(before + 1);
  });

  it("a streamed line past limits.maxLineBytes: the stream ends with an in-band error, the backend blamed", async () => {
    const before = await failures("line-too-long");
    const o = await post("/api/chat", { model: "longline", stream: true, messages: [{ role: "user", content: "hi" }] });
    expect(o.status).toBe(200);
    const lines = o.text.trim().split("\n");
    expect(JSON.parse(lines[lines.length - 1] as string)).toMatchObject({ error: expect.stringMatching(/maxLineBytes/) as unknown });
    expect(await failures("line-too-long")).toBe(before + 1);
  });
});
