// Anthropic Messages wire types. Request bodies are zod schemas so a bad body yields a precise 400;
// objects are loose because new client versions add fields (BerriAI/litellm#20021;
// test/router/translate/anthropic-request.test.ts, "tolerates unknown top-level and block fields").
// Shapes: https://docs.claude.com/en/api/messages and .../build-with-claude/streaming.
import { z } from "zod";

const cacheControl = z.unknown().optional();

const textBlock = z.looseObject({ type: z.literal("text"), text: z.string(), cache_control: cacheControl });

const imageSource = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("base64"), media_type: z.string().min(1), data: z.string() }),
  z.looseObject({ type: z.literal("url"), url: z.string().min(1) }),
]);
const imageBlock = z.looseObject({ type: z.literal("image"), source: imageSource, cache_control: cacheControl });

const documentBlock = z.looseObject({
  type: z.literal("document"),
  source: z.looseObject({ type: z.string(), media_type: z.string().optional(), data: z.unknown().optional() }),
  title: z.string().nullish(),
});

const toolUseBlock = z.looseObject({
  type: z.literal("tool_use"),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.unknown(),
  cache_control: cacheControl,
});

const toolResultContent = z.union([z.string(), z.array(z.discriminatedUnion("type", [textBlock, imageBlock, documentBlock]))]);
const toolResultBlock = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: toolResultContent.optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});

const thinkingBlock = z.looseObject({ type: z.literal("thinking"), thinking: z.string(), signature: z.string().optional() });
const redactedThinkingBlock = z.looseObject({ type: z.literal("redacted_thinking"), data: z.string() });

/** Blocks produced by Anthropic-hosted server tools; a local engine cannot use them, so they are dropped. */
const hostedBlockTypes = [
  "server_tool_use",
  "web_search_tool_result",
  "web_fetch_tool_result",
  "code_execution_tool_result",
  "search_result",
  "container_upload",
  "mcp_tool_use",
  "mcp_tool_result",
] as const;
const hostedBlock = z.looseObject({ type: z.enum(hostedBlockTypes) });

const anthropicContentBlockSchema = z.discriminatedUnion("type", [
  textBlock,
  imageBlock,
  documentBlock,
  toolUseBlock,
  toolResultBlock,
  thinkingBlock,
  redactedThinkingBlock,
  hostedBlock,
]);
export type AnthropicContentBlockParam = z.infer<typeof anthropicContentBlockSchema>;
export type AnthropicImageParam = z.infer<typeof imageBlock>;

const knownBlockTypes = new Set<string>(["text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking", ...hostedBlockTypes]);

/**
 * Blocks of a type this router does not know (newer client features) are dropped before validation,
 * so they never cause a 400; a block of a known type is still checked field by field.
 */
function dropUnknownBlocks(content: unknown): unknown {
  if (!Array.isArray(content)) return content;
  return content.filter((b: unknown) => {
    const type = typeof b === "object" && b !== null ? (b as { type?: unknown }).type : undefined;
    return typeof type !== "string" || knownBlockTypes.has(type);
  });
}

const anthropicMessageParamSchema = z.looseObject({
  /** Anthropic itself accepts only user/assistant; "system" is tolerated and merged into the system prompt. */
  role: z.enum(["user", "assistant", "system"]),
  content: z.union([z.string(), z.preprocess(dropUnknownBlocks, z.array(anthropicContentBlockSchema))]),
});
export type AnthropicMessageParam = z.infer<typeof anthropicMessageParamSchema>;

const anthropicToolSchema = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  /** Absent on Anthropic-hosted tools (web_search, bash_2025...), which are dropped. */
  input_schema: z.record(z.string(), z.unknown()).optional(),
  type: z.string().optional(),
  cache_control: cacheControl,
});
export type AnthropicToolParam = z.infer<typeof anthropicToolSchema>;

const knownToolChoices = new Set(["auto", "any", "tool", "none"]);

const anthropicToolChoiceSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("tool"), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("none") }),
]);

const anthropicThinkingSchema = z.looseObject({
  /** enabled | disabled | adaptive today; a newer kind is read as "on" rather than refused. */
  type: z.string(),
  budget_tokens: z.number().int().nonnegative().optional(),
});

const systemSchema = z.union([z.string(), z.array(textBlock)]);

const commonFields = {
  model: z.string().min(1, "model is required"),
  messages: z.array(anthropicMessageParamSchema),
  system: systemSchema.optional(),
  tools: z.array(anthropicToolSchema).optional(),
  /** A tool_choice of a kind this router does not know is ignored (the engine's default, auto), never a 400. */
  tool_choice: z.preprocess(
    (c) => (typeof c === "object" && c !== null && !knownToolChoices.has(String((c as { type?: unknown }).type)) ? undefined : c),
    anthropicToolChoiceSchema.optional(),
  ),
  thinking: anthropicThinkingSchema.optional(),
};

export const anthropicMessagesRequestSchema = z.looseObject({
  ...commonFields,
  max_tokens: z.number().int().positive("max_tokens must be a positive integer"),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().nonnegative().optional(),
  stream: z.boolean().optional(),
  metadata: z.unknown().optional(),
});
export type AnthropicMessagesRequest = z.infer<typeof anthropicMessagesRequestSchema>;

export const anthropicCountTokensRequestSchema = z.looseObject(commonFields);
export type AnthropicCountTokensRequest = z.infer<typeof anthropicCountTokensRequestSchema>;

// ---- responses (built by the router, so plain types) ----

export type AnthropicStopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "pause_turn" | "refusal";

export type AnthropicContentBlock =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
}

export interface AnthropicMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "overloaded_error";

export interface AnthropicErrorBody {
  type: "error";
  error: { type: AnthropicErrorType; message: string };
}

export type AnthropicStreamEvent =
  | { type: "message_start"; message: AnthropicMessage }
  | { type: "content_block_start"; index: number; content_block: AnthropicContentBlock }
  | {
      type: "content_block_delta";
      index: number;
      delta:
        | { type: "text_delta"; text: string }
        | { type: "thinking_delta"; thinking: string }
        | { type: "signature_delta"; signature: string }
        | { type: "input_json_delta"; partial_json: string };
    }
  | { type: "content_block_stop"; index: number }
  | {
      type: "message_delta";
      delta: { stop_reason: AnthropicStopReason | null; stop_sequence: string | null };
      usage: { output_tokens: number; input_tokens?: number };
    }
  | { type: "message_stop" }
  | { type: "ping" }
  | AnthropicErrorBody;
