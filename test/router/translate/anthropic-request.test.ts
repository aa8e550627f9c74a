import { describe, expect, it } from "vitest";
import { anthropicToOpenAI, type AnthropicToOpenAIOptions } from "../../../router/translate/anthropic-request.js";
import { requestIssuesMessage } from "../../../router/faces/request-issues.js";
import { anthropicMessagesRequestSchema, type AnthropicMessagesRequest } from "../../../router/translate/types/anthropic.js";

function parse(body: unknown): AnthropicMessagesRequest {
  return anthropicMessagesRequestSchema.parse(body);
}
const base = { model: "claude-sonnet-4-5", max_tokens: 1024 };

/** Parses a request of `base` plus `fields`, then translates it for a target. */
function translate(fields: Record<string, unknown>, target: AnthropicToOpenAIOptions = { model: "m" }): ReturnType<typeof anthropicToOpenAI> {
  return anthropicToOpenAI(parse({ ...base, ...fields }), target);
}

describe("anthropicToOpenAI", () => {
  it("merges system blocks and mid-conversation system messages into one leading system message", () => {
    const req = parse({
      ...base,
      system: [
        { type: "text", text: "You are Claude Code.", cache_control: { type: "ephemeral" } },
        { type: "text", text: "Be brief." },
      ],
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello" },
        { role: "system", content: [{ type: "text", text: "Plan mode is on." }] },
        { role: "user", content: "go" },
      ],
    });
    const out = anthropicToOpenAI(req, { model: "qwen3" });
    expect(out.messages).toEqual([
      { role: "system", content: "You are Claude Code.\n\nBe brief.\n\nPlan mode is on." },
      { role: "user", content: "hi" },
      { role: "assistant", content: "hello" },
      { role: "user", content: "go" },
    ]);
    expect(out.messages.filter((m) => m.role === "system")).toHaveLength(1);
    expect(JSON.stringify(out)).not.toContain("cache_control");
  });

  it("carries images as data URLs or URLs next to the text", () => {
    const out = translate({
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
            { type: "image", source: { type: "url", url: "https://example.org/a.jpg" } },
            { type: "text", text: "what is this?" },
          ],
        },
      ],
    });
    expect(out.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          { type: "image_url", image_url: { url: "https://example.org/a.jpg" } },
          { type: "text", text: "what is this?" },
        ],
      },
    ]);
  });

  it("round-trips tool use: several results in one user turn become ordered tool messages before the remaining text", () => {
    const out = translate({
      messages: [
        { role: "user", content: "read both" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "I will read them.", signature: "sig" },
            { type: "text", text: "Reading." },
            { type: "tool_use", id: "toolu_1", name: "read", input: { path: "a" } },
            { type: "tool_use", id: "toolu_2", name: "read", input: { path: "b" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: "A" },
            { type: "tool_result", tool_use_id: "toolu_2", content: [{ type: "text", text: "no such file" }], is_error: true },
            { type: "text", text: "now summarize" },
          ],
        },
      ],
    });
    expect(out.messages).toEqual([
      { role: "user", content: "read both" },
      {
        role: "assistant",
        content: "Reading.",
        reasoning: "I will read them.",
        tool_calls: [
          { id: "toolu_1", type: "function", function: { name: "read", arguments: '{"path":"a"}' } },
          { id: "toolu_2", type: "function", function: { name: "read", arguments: '{"path":"b"}' } },
        ],
      },
      { role: "tool", tool_call_id: "toolu_1", content: "A" },
      { role: "tool", tool_call_id: "toolu_2", content: "Error: no such file" },
      { role: "user", content: "now summarize" },
    ]);
    // prior thinking travels once, as reasoning, never inside the content
    expect(JSON.stringify(out.messages).split("I will read them.")).toHaveLength(2);
  });

  it("moves images returned by a tool into the following user turn", () => {
    const out = translate({
      messages: [
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              tool_use_id: "t",
              content: [
                { type: "text", text: "screenshot" },
                { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/" } },
              ],
            },
          ],
        },
      ],
    });
    expect(out.messages).toEqual([
      { role: "tool", tool_call_id: "t", content: "screenshot" },
      { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/" } }] },
    ]);
  });

  const toolChoices: [unknown, unknown, boolean | undefined][] = [
    [{ type: "auto" }, "auto", undefined],
    [{ type: "any" }, "required", undefined],
    [{ type: "tool", name: "read" }, { type: "function", function: { name: "read" } }, undefined],
    [{ type: "none" }, "none", undefined],
    [{ type: "auto", disable_parallel_tool_use: true }, "auto", false],
  ];
  it.each(toolChoices)("maps tool_choice %j", (choice, expected, parallel) => {
    const out = translate({
      messages: [{ role: "user", content: "x" }],
      tools: [
        {
          name: "read",
          description: "Read a file",
          input_schema: { type: "object", properties: { path: { type: "string" } } },
          cache_control: { type: "ephemeral" },
        },
        { type: "web_search_20250305", name: "web_search", max_uses: 5 },
      ],
      tool_choice: choice,
    });
    expect(out.tools).toEqual([
      { type: "function", function: { name: "read", description: "Read a file", parameters: { type: "object", properties: { path: { type: "string" } } } } },
    ]);
    expect(out.tool_choice).toEqual(expected);
    expect(out.parallel_tool_calls).toBe(parallel);
  });

  it("maps sampling, stop sequences, streaming and the clamped max_tokens; drops metadata", () => {
    const out = translate(
      {
        max_tokens: 32000,
        messages: [{ role: "user", content: "x" }],
        stop_sequences: ["</answer>"],
        temperature: 0.2,
        top_p: 0.9,
        top_k: 40,
        stream: true,
        metadata: { user_id: "u" },
        context_management: { edits: [] },
      },
      { model: "m", maxTokens: 4096 },
    );
    expect(out).toEqual({
      model: "m",
      messages: [{ role: "user", content: "x" }],
      max_tokens: 4096,
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop: ["</answer>"],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  const thinking: [unknown, unknown][] = [
    [
      { type: "enabled", budget_tokens: 2048 },
      { chat_template_kwargs: { enable_thinking: true }, reasoning_effort: "low" },
    ],
    [
      { type: "enabled", budget_tokens: 31999 },
      { chat_template_kwargs: { enable_thinking: true }, reasoning_effort: "high" },
    ],
    [{ type: "disabled" }, { chat_template_kwargs: { enable_thinking: false } }],
  ];
  it.each(thinking)("turns thinking %j into reasoning controls", (t, expected) => {
    const out = translate({ messages: [{ role: "user", content: "x" }], thinking: t });
    expect({ chat_template_kwargs: out.chat_template_kwargs, reasoning_effort: out.reasoning_effort }).toEqual({
      reasoning_effort: undefined,
      ...(expected as object),
    });
  });
});

describe("anthropicMessagesRequestSchema", () => {
  it("tolerates unknown top-level and block fields", () => {
    const r = anthropicMessagesRequestSchema.safeParse({
      ...base,
      messages: [{ role: "user", content: [{ type: "text", text: "x", citations: null, brand_new: 1 }] }],
      speed: "fast",
    });
    expect(r.success).toBe(true);
  });

  it("names the exact path of a malformed body", () => {
    const r = anthropicMessagesRequestSchema.safeParse({ ...base, max_tokens: 0, messages: [{ role: "user", content: [{ type: "text" }] }] });
    expect(r.success).toBe(false);
    if (!r.success) {
      const msg = requestIssuesMessage(r.error);
      expect(msg).toContain("max_tokens");
      expect(msg).toContain("messages[0].content");
    }
  });
});
