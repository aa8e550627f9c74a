// Putting a streamed OpenAI answer back together as one body (pure; no server).
import { describe, expect, it } from "vitest";
import { OpenAIStreamAssembler, streamInStead } from "../../../router/translate/openai-assemble.js";

const sse = (events: unknown[]): string => events.map((e) => `data: ${typeof e === "string" ? e : JSON.stringify(e)}\n\n`).join("");
const head = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1700000000, model: "m" };

describe("OpenAIStreamAssembler", () => {
  it("joins content, reasoning (either name) and tool-call fragments, keeps the finish reason and the usage chunk", () => {
    const text = sse([
      { ...head, choices: [{ index: 0, delta: { role: "assistant", reasoning_content: "think " } }] },
      { ...head, choices: [{ index: 0, delta: { reasoning_content: "hard" } }] },
      { ...head, choices: [{ index: 0, delta: { content: "Hel" } }] },
      { ...head, choices: [{ index: 0, delta: { content: "lo" } }] },
      { ...head, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "f", arguments: '{"a":' } }] } }] },
      { ...head, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: "f", arguments: "1}" } }] } }] },
      { ...head, choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
      { ...head, choices: [], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } },
      "[DONE]",
    ]);
    const a = new OpenAIStreamAssembler("chat");
    // Split anywhere, even inside a multi-byte character or a line.
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += 7) a.push(bytes.subarray(i, i + 7));
    expect(a.result()).toEqual({
      ok: true,
      body: {
        id: "chatcmpl-1",
        object: "chat.completion",
        created: 1700000000,
        model: "m",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: "Hello",
              reasoning_content: "think hard",
              tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
            },
            logprobs: null,
            finish_reason: "tool_calls",
          },
        ],
        usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
      },
    });
  });

  it("uses `reasoning` when the engine does, and null content for a tool-call-only answer", () => {
    const a = new OpenAIStreamAssembler("chat");
    a.push(
      sse([
        { ...head, choices: [{ index: 0, delta: { reasoning: "r" } }] },
        {
          ...head,
          choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: "c", function: { name: "g", arguments: "{}" } }] }, finish_reason: "tool_calls" }],
        },
      ]),
    );
    const r = a.result();
    expect(r.ok && r.body.choices[0]).toMatchObject({
      message: { content: null, reasoning: "r", tool_calls: [{ id: "c", function: { name: "g", arguments: "{}" } }] },
    });
  });

  it("assembles text completions, choice by choice", () => {
    const a = new OpenAIStreamAssembler("completions");
    a.push(
      sse([
        {
          id: "cmpl-1",
          object: "text_completion",
          created: 1,
          model: "m",
          choices: [
            { index: 1, text: "b" },
            { index: 0, text: "a" },
          ],
        },
        {
          id: "cmpl-1",
          object: "text_completion",
          created: 1,
          model: "m",
          choices: [
            { index: 0, text: "a", finish_reason: "length" },
            { index: 1, text: "b", finish_reason: "stop" },
          ],
        },
      ]),
    );
    const r = a.result();
    expect(r.ok && r.body).toMatchObject({
      object: "text_completion",
      choices: [
        { index: 0, text: "aa", finish_reason: "length" },
        { index: 1, text: "bb", finish_reason: "stop" },
      ],
    });
  });

  it("reports an error event instead of a half answer, and an empty stream as nothing", () => {
    const a = new OpenAIStreamAssembler("chat");
    a.push(sse([{ ...head, choices: [{ index: 0, delta: { content: "par" } }] }, { error: { message: "slot died", type: "server_error" } }]));
    expect(a.result()).toEqual({ ok: false, error: { message: "slot died", type: "server_error" } });
    expect(new OpenAIStreamAssembler("chat").result()).toEqual({ ok: false, error: undefined });
  });

  it("streamInStead asks for a stream with a usage chunk", () => {
    expect(streamInStead({ model: "m", stream: false })).toEqual({ model: "m", stream: true, stream_options: { include_usage: true } });
  });
});
