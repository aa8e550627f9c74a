import { describe, expect, it } from "vitest";
import { anthropicStopReason, openAIToAnthropic, parseToolInput } from "../../../router/translate/anthropic-response.js";

describe("openAIToAnthropic", () => {
  it("orders thinking, text and tool_use, with parsed input and usage", () => {
    const msg = openAIToAnthropic(
      {
        id: "chatcmpl-9",
        choices: [
          {
            message: {
              role: "assistant",
              content: "Let me check.",
              reasoning: "The user wants a file.",
              tool_calls: [{ id: "call_1", type: "function", function: { name: "read", arguments: '{"path":"/a"}' } }],
            },
            finish_reason: "tool_calls",
          },
        ],
        usage: { prompt_tokens: 50, completion_tokens: 20 },
      },
      { model: "claude-sonnet-4-5", id: "msg_1" },
    );
    expect(msg).toEqual({
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [
        { type: "thinking", thinking: "The user wants a file.", signature: "" },
        { type: "text", text: "Let me check." },
        { type: "tool_use", id: "call_1", name: "read", input: { path: "/a" } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 50, output_tokens: 20 },
    });
  });

  it("reads reasoning_content when reasoning is absent, and generates msg_ ids", () => {
    const msg = openAIToAnthropic({ choices: [{ message: { content: "4", reasoning_content: "2+2" }, finish_reason: "stop" }] }, { model: "m" });
    expect(msg.content[0]).toEqual({ type: "thinking", thinking: "2+2", signature: "" });
    expect(msg.id).toMatch(/^msg_[0-9a-f]{24}$/);
    expect(msg.stop_reason).toBe("end_turn");
  });

  it("reports tool_use even when the engine said stop", () => {
    const msg = openAIToAnthropic(
      { choices: [{ message: { content: null, tool_calls: [{ id: "", type: "function", function: { name: "f", arguments: "" } }] }, finish_reason: "stop" }] },
      { model: "m" },
    );
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.content).toEqual([{ type: "tool_use", id: expect.stringMatching(/^toolu_/) as unknown, name: "f", input: {} }]);
  });
});

describe("anthropicStopReason", () => {
  const cases: [string | null, string | number | null, string, string | null][] = [
    ["stop", null, "end_turn", null],
    ["length", null, "max_tokens", null],
    ["tool_calls", null, "tool_use", null],
    ["stop", "###", "stop_sequence", "###"],
    ["stop", 151645, "end_turn", null],
    ["content_filter", null, "refusal", null],
    [null, null, "end_turn", null],
  ];
  it.each(cases)("%s / %s → %s", (finish, matched, reason, seq) => {
    expect(anthropicStopReason(finish, matched, ["###"])).toEqual({ stop_reason: reason, stop_sequence: seq });
  });
});

describe("parseToolInput", () => {
  const cases: [string, unknown][] = [
    ["", {}],
    ['{"a":[1,2]}', { a: [1, 2] }],
    ["[1]", { _raw_arguments: "[1]" }],
    ['{"a":', { _raw_arguments: '{"a":' }],
  ];
  it.each(cases)("%j", (args, expected) => expect(parseToolInput(args)).toEqual(expected));
});
