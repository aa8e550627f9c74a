// logging.logBodies: an explicit debug capture. Off by default (nothing of a request body is logged);
// on, each request body is logged once as parsed, with key-like fields and credential-looking strings
// redacted, and the router says loudly, at start and on a reload that turns it on, that prompts are
// now in the log.
import { describe, expect, it } from "vitest";
import { logBody } from "../../../router/telemetry/body-log.js";
import { Logger } from "../../../router/telemetry/log.js";
import { config, routerFixture, sha256, type Running } from "../harness.js";

const KEY = "client-key-Rt88bn";
const PROMPT = "PROMPT-Vz41 what is 2+2";
const SECRETS = ["sk-live-0123456789abcdefghij", "ghp-token-value-77", "hunter2-password", "sk-ant-api03-abcdefghijklmnopqrst"];

describe("logging.logBodies", () => {
  const fx = routerFixture();

  async function start(logging: { level?: "info" | "warn"; logBodies?: boolean }): Promise<Running> {
    const v = await fx.fake({ engine: "vllm", models: ["m"] });
    return fx.router(
      config({
        backends: { v: { engine: "vllm", url: v.url } },
        aliases: { coder: { targets: [{ backend: "v", model: "m" }] } },
        apiKeys: [{ name: "laptop", sha256: sha256(KEY) }],
        logging,
      }),
    );
  }

  async function ask(run: Running): Promise<string> {
    const res = await fetch(`${run.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
      body: JSON.stringify({
        model: "coder",
        messages: [{ role: "user", content: `${PROMPT}; my key is ${SECRETS[3]}` }],
        api_key: SECRETS[0],
        metadata: { user_token: SECRETS[1], password: SECRETS[2], max_tokens_hint: 7 },
        max_tokens: 16,
      }),
    });
    expect(res.status).toBe(200);
    return res.headers.get("x-request-id") ?? "";
  }

  const lines = (run: Running): Record<string, unknown>[] => run.logs.map((l) => JSON.parse(l) as Record<string, unknown>);

  it("off (the default): no body, no prompt in the log", async () => {
    const run = await start({});
    await ask(run);
    expect(lines(run).some((l) => l.msg === "request body")).toBe(false);
    expect(run.logs.join("\n")).not.toContain("PROMPT-Vz41");
  });

  it("on: one line per request with the body as sent, keys redacted, announced at start", async () => {
    const run = await start({ logBodies: true });
    expect(lines(run).find((l) => l.msg?.toString().startsWith("logging.logBodies is ON"))).toMatchObject({ level: "warn" });
    const id = await ask(run);
    const body = lines(run).filter((l) => l.msg === "request body");
    expect(body).toHaveLength(1);
    expect(body[0]).toMatchObject({ id, face: "openai", path: "/v1/chat/completions", key: "laptop" });
    expect(body[0]?.body).toMatchObject({
      model: "coder",
      max_tokens: 16,
      api_key: "[redacted]",
      metadata: { user_token: "[redacted]", password: "[redacted]", max_tokens_hint: 7 },
    });
    const text = run.logs.join("\n");
    expect(text).toContain("PROMPT-Vz41");
    for (const s of [...SECRETS, KEY]) expect(text).not.toContain(s);
  });

  it("on, at a level that hides the lines: says so instead of capturing nothing silently", async () => {
    const run = await start({ level: "warn", logBodies: true });
    expect(run.logs.some((l) => l.includes("logging.level warn hides"))).toBe(true);
  });

  it("turned on by a reload: announced then", async () => {
    const run = await start({});
    run.router.reload({ ...run.router.config, logging: { level: "info", logBodies: true } });
    expect(run.logs.some((l) => l.includes("logging.logBodies is ON"))).toBe(true);
  });
});

describe("the body line redacts", () => {
  function logged(body: unknown): unknown {
    const lines: string[] = [];
    logBody(new Logger("info", (l) => lines.push(l)), { id: "r1", face: "openai", path: "/v1/chat/completions", key: undefined }, body);
    return (JSON.parse(lines[0] ?? "{}") as { body?: unknown }).body;
  }

  it.each([
    [
      "key-like member names",
      { api_key: "a", apiKey: "b", "x-api-key": "c", client_secret: "d", access_token: "e", Authorization: "f", password: "g" },
      {
        api_key: "[redacted]",
        apiKey: "[redacted]",
        "x-api-key": "[redacted]",
        client_secret: "[redacted]",
        access_token: "[redacted]",
        Authorization: "[redacted]",
        password: "[redacted]",
      },
    ],
    [
      "counts of tokens are not secrets",
      { max_tokens: 5, max_completion_tokens: 6, num_predict: 7, input_tokens: 8 },
      { max_tokens: 5, max_completion_tokens: 6, num_predict: 7, input_tokens: 8 },
    ],
    [
      "credentials inside text",
      { content: "use Bearer abc.def-123 or sk-proj-ABCDEFGHIJKLMNOPQRSTUV please" },
      { content: "use Bearer [redacted] or sk-[redacted] please" },
    ],
    ["nested in arrays", [{ token: "t" }, "plain"], [{ token: "[redacted]" }, "plain"]],
  ])("%s", (_name, value, expected) => {
    expect(logged(value)).toEqual(expected);
  });
});
