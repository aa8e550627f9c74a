// A request shaped like Claude Code's main loop: system blocks with cache_control, ~20 tools, a
// mid-conversation system message, thinking, max_tokens 32000 — against a 32k-context target.
import { describe, expect, it } from "vitest";
import { anthropicToOpenAI } from "../../../router/translate/anthropic-request.js";
import { estimateInputTokens } from "../../../router/translate/count-tokens.js";
import { planOutputTokens } from "../../../router/translate/context.js";
import { anthropicMessagesRequestSchema } from "../../../router/translate/types/anthropic.js";

const tools = Array.from({ length: 20 }, (_, i) => ({
  name: `Tool${i}`,
  description: `Tool number ${i}. `.repeat(20),
  input_schema: {
    type: "object",
    properties: { path: { type: "string", description: "Absolute path" }, limit: { type: "number" } },
    required: ["path"],
    additionalProperties: false,
    $schema: "http://json-schema.org/draft-07/schema#",
  },
  ...(i === 19 ? { cache_control: { type: "ephemeral" } } : {}),
}));

const body = {
  model: "claude-sonnet-4-5-20250929",
  max_tokens: 32000,
  stream: true,
  thinking: { type: "enabled", budget_tokens: 31999 },
  metadata: { user_id: "user_abc_account__session_123" },
  system: [
    { type: "text", text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: "ephemeral" } },
    {
      type: "text",
      text: "You are an interactive CLI tool that helps users with software engineering tasks. ".repeat(40),
      cache_control: { type: "ephemeral" },
    },
  ],
  tools,
  messages: [
    {
      role: "user",
      content: [
        { type: "text", text: "<system-reminder>\nAs you answer the user's questions, you can use the following context...\n</system-reminder>" },
        { type: "text", text: "fix the failing test", cache_control: { type: "ephemeral" } },
      ],
    },
    { role: "assistant", content: [{ type: "tool_use", id: "toolu_01", name: "Tool3", input: { path: "/repo/test/a.test.ts" } }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01", content: "expect(1).toBe(2)", cache_control: { type: "ephemeral" } }] },
    { role: "system", content: "The user switched to plan mode." },
    { role: "user", content: "continue" },
  ],
};

describe("a Claude Code request against a 32k-context target", () => {
  it("parses, translates to a template-safe conversation and gets a clamped max_tokens", () => {
    const req = anthropicMessagesRequestSchema.parse(body);
    const promptTokens = estimateInputTokens(req);
    const plan = planOutputTokens({ promptTokens, requestedMaxTokens: req.max_tokens, contextLength: 32_768 });
    expect(plan.fits).toBe(true);
    if (!plan.fits) return;
    expect(plan.clamped).toBe(true);
    expect(promptTokens + plan.maxTokens).toBeLessThan(32_768);

    const out = anthropicToOpenAI(req, { model: "MiniMax-M2.5", maxTokens: plan.maxTokens });
    expect(out.max_tokens).toBe(plan.maxTokens);
    expect(out.tools).toHaveLength(20);
    expect(out.messages[0]?.role).toBe("system");
    expect(out.messages.slice(1).some((m) => m.role === "system")).toBe(false);
    expect((out.messages[0] as { content: string }).content).toContain("The user switched to plan mode.");
    expect(out.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool", "user"]);
    expect(out.chat_template_kwargs).toEqual({ enable_thinking: true });
    expect(out.stream_options).toEqual({ include_usage: true });
    const wire = JSON.stringify(out);
    expect(wire).not.toContain("cache_control");
    expect(wire).not.toContain("user_abc_account");
  });
});
