// A router in front of engine fakes, for the Anthropic and Ollama face tests.
import type { FakeReply } from "../../../tools/fakes/index.js";
import { routerFixture, type Fixture } from "../harness.js";

export { config, sha256, until, untilModelsKnown, type Running } from "../harness.js";

/** The router fixture for a suite that shares one router: stopped after the suite. */
export function facesFixture(): Fixture {
  return routerFixture("all");
}

/** What every backend answers in these tests: reasoning, text and a tool call with nested arguments. */
export const TOOL_ARGS = { city: "Paris", days: 3, units: { temperature: "celsius", wind: "km/h" }, tags: ["a", "b", "c"], note: 'quotes " and unicode é ✓' };

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
