// A router with all three faces in front of engine fakes, for the Anthropic and Ollama face tests.
import Anthropic from "@anthropic-ai/sdk";
import { Ollama } from "ollama";
import { parseRouterConfig, type RouterConfig, type RouterConfigInput } from "../../router/config/schema.js";
import { anthropicFace } from "../../router/faces/anthropic/index.js";
import { ollamaFace } from "../../router/faces/ollama/index.js";
import { Router } from "../../router/server.js";
import type { FakeReply } from "../fakes/index.js";

export { sha256, until } from "../router/harness.js";

export const fastHealth = { intervalMs: 50, timeoutMs: 500, maxIntervalMs: 200 };

export function config(input: Omit<RouterConfigInput, "listen">): RouterConfig {
  const r = parseRouterConfig({ listen: { host: "127.0.0.1", port: 0 }, health: fastHealth, logging: { level: "silent" }, ...input });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

export interface Running {
  router: Router;
  url: string;
  anthropic(key?: string, base?: string): Anthropic;
  ollama(key?: string): Ollama;
  stop(): Promise<void>;
}

export async function startRouter(cfg: RouterConfig): Promise<Running> {
  const router = new Router({ config: cfg, faces: [anthropicFace, ollamaFace], logSink: () => undefined });
  const url = await router.listen(0, "127.0.0.1");
  return {
    router,
    url,
    // Claude Code's set-up: ANTHROPIC_BASE_URL=https://<domain>/api, so the SDK calls /api/v1/messages.
    anthropic: (key = "none", base = "/api") => new Anthropic({ apiKey: key, baseURL: url + base, maxRetries: 0, timeout: 20_000 }),
    ollama: (key = "none") => new Ollama({ host: url, headers: { authorization: `Bearer ${key}` } }),
    stop: () => router.close(0),
  };
}

/** What every backend answers in these tests: reasoning, text and a tool call with nested arguments. */
export const TOOL_ARGS = { city: "Paris", days: 3, units: { temperature: "celsius", wind: "km/h" }, tags: ["a", "b", "c"], note: "quotes \" and unicode é ✓" };

export function richReply(): FakeReply {
  return {
    reasoning: "The user wants the weather, so I will call the tool.",
    content: "Let me check the weather in Paris.",
    toolCalls: [{ name: "get_weather", arguments: JSON.stringify(TOOL_ARGS) }],
  };
}

export const weatherTool = {
  name: "get_weather",
  description: "Weather forecast for a city",
  input_schema: { type: "object" as const, properties: { city: { type: "string" }, days: { type: "integer" } }, required: ["city"] },
};

/** Reads an SSE body into [event, data] pairs. */
export function sseEvents(text: string): { event: string; data: Record<string, unknown> }[] {
  const out: { event: string; data: Record<string, unknown> }[] = [];
  for (const block of text.split("\n\n")) {
    let event = "";
    let data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data += line.slice(5).trim();
    }
    if (event) out.push({ event, data: data ? (JSON.parse(data) as Record<string, unknown>) : {} });
  }
  return out;
}
