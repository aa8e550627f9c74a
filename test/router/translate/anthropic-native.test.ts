import { describe, expect, it } from "vitest";
import { nativeMessagesBody } from "../../../router/translate/anthropic-native.js";
import { anthropicMessagesRequestSchema } from "../../../router/translate/types/anthropic.js";

const tool = { name: "read", input_schema: { type: "object" } };

describe("nativeMessagesBody", () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    [
      "keeps what engines read, renames the model, clamps max_tokens",
      { model: "coder", max_tokens: 32000, messages: [{ role: "user", content: "hi" }], temperature: 0.2, metadata: { user_id: "u" } },
      { model: "backend-model", max_tokens: 1000, messages: [{ role: "user", content: "hi" }], temperature: 0.2, metadata: { user_id: "u" } },
    ],
    [
      "drops Anthropic-only top-level fields",
      {
        model: "coder",
        max_tokens: 10,
        messages: [],
        context_management: { edits: [] },
        output_config: { effort: "high" },
        container: "c",
        mcp_servers: [],
        service_tier: "auto",
      },
      { model: "backend-model", max_tokens: 1000, messages: [] },
    ],
    [
      "merges a mid-conversation system message into a string system",
      {
        model: "coder",
        max_tokens: 10,
        system: "base",
        messages: [
          { role: "user", content: "a" },
          { role: "system", content: "late" },
        ],
      },
      { model: "backend-model", max_tokens: 1000, system: "base\n\nlate", messages: [{ role: "user", content: "a" }] },
    ],
    [
      "merges it into system blocks too",
      { model: "coder", max_tokens: 10, system: [{ type: "text", text: "base" }], messages: [{ role: "system", content: [{ type: "text", text: "late" }] }] },
      {
        model: "backend-model",
        max_tokens: 1000,
        system: [
          { type: "text", text: "base" },
          { type: "text", text: "late" },
        ],
        messages: [],
      },
    ],
    [
      "drops blocks engines refuse and empty thinking; drops a message left empty",
      {
        model: "coder",
        max_tokens: 10,
        messages: [
          {
            role: "assistant",
            content: [
              { type: "thinking", thinking: " " },
              { type: "redacted_thinking", data: "x" },
              { type: "text", text: "ok" },
            ],
          },
          { role: "user", content: [{ type: "server_tool_use", id: "s" }] },
        ],
      },
      { model: "backend-model", max_tokens: 1000, messages: [{ role: "assistant", content: [{ type: "text", text: "ok" }] }] },
    ],
    [
      "drops hosted tools and the custom type; an unknown tool_choice goes",
      {
        model: "coder",
        max_tokens: 10,
        messages: [],
        tools: [
          { ...tool, type: "custom" },
          { type: "web_search_20250305", name: "web_search" },
        ],
        tool_choice: { type: "new_kind" },
      },
      { model: "backend-model", max_tokens: 1000, messages: [], tools: [tool] },
    ],
    [
      'tool_choice "none" becomes no tools',
      { model: "coder", max_tokens: 10, messages: [], tools: [tool], tool_choice: { type: "none" } },
      { model: "backend-model", max_tokens: 1000, messages: [] },
    ],
    [
      "a supported tool_choice stays",
      { model: "coder", max_tokens: 10, messages: [], tools: [tool], tool_choice: { type: "tool", name: "read" } },
      { model: "backend-model", max_tokens: 1000, messages: [], tools: [tool], tool_choice: { type: "tool", name: "read" } },
    ],
  ];
  it.each(cases)("%s", (_name, input, expected) => expect(nativeMessagesBody(input, "backend-model", 1000)).toEqual(expected));
});

describe("the Messages schema tolerates what newer clients add", () => {
  it.each([
    [
      "an unknown block type (dropped)",
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "a" },
              { type: "tool_reference", tool_name: "x" },
            ],
          },
        ],
      },
    ],
    ["an unknown tool_choice (ignored)", { tool_choice: { type: "new_kind" }, messages: [{ role: "user", content: "a" }] }],
    ["adaptive or newer thinking", { thinking: { type: "adaptive" }, output_config: { effort: "xhigh" }, messages: [{ role: "user", content: "a" }] }],
    ["context_management and metadata.user_id", { context_management: { edits: [] }, metadata: { user_id: "u" }, messages: [{ role: "user", content: "a" }] }],
  ])("%s", (_name, extra) => {
    const r = anthropicMessagesRequestSchema.safeParse({ model: "m", max_tokens: 5, ...extra });
    expect(r.success).toBe(true);
  });

  it("still refuses a known block with a wrong field", () => {
    expect(anthropicMessagesRequestSchema.safeParse({ model: "m", max_tokens: 5, messages: [{ role: "user", content: [{ type: "text" }] }] }).success).toBe(
      false,
    );
  });

  it("drops the unknown block from the parsed content", () => {
    const r = anthropicMessagesRequestSchema.parse({
      model: "m",
      max_tokens: 5,
      messages: [{ role: "user", content: [{ type: "text", text: "a" }, { type: "tool_reference" }] }],
    });
    expect(r.messages[0]?.content).toEqual([{ type: "text", text: "a" }]);
  });
});
