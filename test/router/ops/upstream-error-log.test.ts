// A backend's error body may quote the request, prompt included (vLLM's validation errors carry the
// failing input). The client gets that answer to its own request; the log, at the default level,
// gets only a bounded summary: status, the error's type or code, the body's size.
import { beforeAll, describe, expect, it } from "vitest";
import type { FakeEngine } from "../../../tools/fakes/index.js";
import { classifyStatus } from "../../../router/proxy/classify.js";
import { config, rawPost, routerFixture, untilAllUp, type Running } from "../harness.js";

type FaceName = "openai" | "anthropic" | "ollama";
const PATH: Record<FaceName, string> = { openai: "/v1/chat/completions", anthropic: "/v1/messages", ollama: "/api/chat" };

function body(face: FaceName, text: string): string {
  const messages = [{ role: "user", content: text }];
  if (face === "anthropic") return JSON.stringify({ model: "coder", max_tokens: 16, messages });
  if (face === "ollama") return JSON.stringify({ model: "coder", messages, stream: false });
  return JSON.stringify({ model: "coder", messages });
}

/** FastAPI's own answer to a request that fails validation: 422 with each error's input. */
const fastApi422 = (marker: string): string =>
  JSON.stringify({
    detail: [{ type: "missing", loc: ["body", "messages"], msg: "Field required", input: { model: "m", prompt: `${marker} my secret plan` } }],
  });

interface Case {
  name: string;
  status: number;
  /** The client's status when the router maps the backend's (a failed backend is a 502). */
  answered: number;
  body: (marker: string) => string;
  /** In the logged summary. */
  summary: RegExp;
}

const CASES: Case[] = [
  {
    name: "422 validation error quoting the input (FastAPI)",
    status: 422,
    answered: 422,
    body: fastApi422,
    summary: /answered 422 \(missing; \d+-byte body not logged\)/,
  },
  {
    name: "400 whose message quotes the prompt (OpenAI shape)",
    status: 400,
    answered: 400,
    body: (m) => JSON.stringify({ error: { message: `bad request: '${m} my secret plan'`, type: "BadRequestError", param: null, code: 400 } }),
    summary: /answered 400 \(BadRequestError; \d+-byte body not logged\)/,
  },
  {
    name: "500 echoing the request as plain text",
    status: 500,
    answered: 502,
    body: (m) => `Internal error while handling {"prompt": "${m} my secret plan"}`,
    summary: /answered 500 \(\d+-byte body not logged\)/,
  },
  {
    name: "429 echoing the request",
    status: 429,
    answered: 429,
    body: (m) => JSON.stringify({ error: `queue full for ${m} my secret plan` }),
    summary: /is busy: answered 429 \(\d+-byte body not logged\)/,
  },
];

describe("a backend's error body in the log", () => {
  const fx = routerFixture("all");
  let vllm: FakeEngine;
  let r: Running;

  beforeAll(async () => {
    vllm = await fx.fake({ engine: "vllm", models: ["m"], anthropic: true });
    r = await fx.router(
      config({ backends: { spark: { engine: "vllm", url: vllm.url } }, aliases: { coder: { targets: [{ backend: "spark", model: "m" }] } } }),
    );
    await untilAllUp(r);
  });

  describe.each(["openai", "anthropic", "ollama"] as const)("on the %s face", (face) => {
    it.each(CASES.map((c, i) => [c.name, c, i] as const))("%s: the client gets the answer, the log a summary", async (_name, c, i) => {
      const marker = `${face}-echo${i}-mk`;
      vllm.faults.set({ mode: "status", status: c.status, statusCount: 1, body: c.body(marker) });
      const before = r.logs.length;
      const res = await rawPost(r.url + PATH[face], body(face, `${marker} my secret plan`), { "anthropic-version": "2023-06-01" });
      vllm.faults.clear();
      expect(res.status, res.text).toBe(c.answered);
      const lines = r.logs.slice(before);
      const line = lines.find((l) => l.includes('"msg":"request"'));
      expect(line, lines.join("\n")).toBeDefined();
      expect(line).toMatch(c.summary);
      expect(lines.join("\n")).not.toContain(marker);
    });
  });

  it("vLLM's own validation error (a missing field quotes the whole request) is summarized", async () => {
    const marker = "vllm-validation-mk";
    // /v1/completions without `prompt`: passed through, and vLLM's 400 quotes the body it got.
    const res = await rawPost(`${r.url}/v1/completions`, JSON.stringify({ model: "coder", messages: [{ role: "user", content: `${marker} my secret plan` }] }));
    expect(res.status).toBe(400);
    expect(res.text).toContain(marker);
    const line = r.logs.filter((l) => l.includes('"path":"/v1/completions"')).at(-1);
    expect(line).toMatch(/answered 400 \(Bad Request; \d+-byte body not logged\)/);
    expect(r.logs.join("\n")).not.toContain(marker);
  });
});

describe("what the log keeps of a backend's error body", () => {
  it.each([
    [
      "an OpenAI-shaped error",
      JSON.stringify({ error: { message: "secret", type: "invalid_request_error", code: "context_length_exceeded" } }),
      400,
      "invalid_request_error, context_length_exceeded; ",
    ],
    [
      "a code equal to the status is left out",
      JSON.stringify({ object: "error", message: "secret", type: "BadRequestError", code: 400 }),
      400,
      "BadRequestError; ",
    ],
    [
      "FastAPI's detail list, each type once",
      JSON.stringify({ detail: [{ type: "missing", input: "secret" }, { type: "string_type", input: "s" }, { type: "missing" }] }),
      422,
      "missing, string_type; ",
    ],
    [
      "a type that is not an identifier",
      JSON.stringify({ error: { type: "the prompt was: secret stuff that goes on and on and on and on and on and on" } }),
      400,
      "",
    ],
    ["a type that reads like text", JSON.stringify({ error: { type: "my secret", code: "a b c" } }), 400, ""],
    ["Ollama's plain error", JSON.stringify({ error: "model 'secret' not found" }), 404, ""],
    ["plain text", "secret", 500, ""],
  ])("%s", (_label, text, status, want) => {
    const s = classifyStatus("b", status, text, {}, 0).error.logMessage;
    expect(s).toBe(`backend b answered ${status} (${want}${Buffer.byteLength(text)}-byte body not logged)`);
    expect(s).not.toContain("secret");
  });
});
