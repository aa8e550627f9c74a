// The generic OpenAI-compatible fake (tools/fakes/generic.ts).
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { fake, post, json, chat, stopFakes } from "./harness.js";

afterEach(stopFakes);

describe("generic OpenAI-compatible fake", () => {
  it("lists models, answers chat and rejects bad keys in OpenAI's shape", async () => {
    const e = await fake({ engine: "openai", models: ["gpt-x"], apiKey: "k" });
    const denied = await fetch(`${e.url}/v1/models`);
    expect(denied.status).toBe(401);
    expect((await json(denied)).error).toMatchObject({ code: "invalid_api_key" });
    const client = new OpenAI({ baseURL: `${e.url}/v1`, apiKey: "k", maxRetries: 0 });
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(["gpt-x"]);
    const done = await client.chat.completions.create({ model: "gpt-x", messages: [{ role: "user", content: "hello" }] });
    expect(done.choices[0]?.message.content).toContain("hello");
    const bad = await post(`${e.url}/v1/chat/completions`, chat("nope", "x"), { authorization: "Bearer k" });
    expect(bad.status).toBe(404);
    expect((await json(bad)).error).toMatchObject({ code: "model_not_found" });
  });

  it("answers malformed JSON with 400 and an unknown path with 404", async () => {
    const e = await fake({ engine: "openai", models: ["m"] });
    const res = await fetch(`${e.url}/v1/chat/completions`, { method: "POST", body: "{not json" });
    expect(res.status).toBe(400);
    expect((await fetch(`${e.url}/v2/nothing`)).status).toBe(404);
  });
});
