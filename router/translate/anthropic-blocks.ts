// The content blocks of one translated Anthropic message, emitted one at a time with consecutive
// indexes: content_block_start, content_block_delta*, content_block_stop. Text and thinking extend
// the open block of their kind or start a new one; a tool call's arguments are forwarded fragment by
// fragment as input_json_delta, byte for byte, held only until the call's name has arrived. A wrong
// sequence is Claude Code's "Content block not found" (BerriAI/litellm#13373, #14315); a dropped
// input_json_delta leaves tool_use.input empty (BerriAI/litellm#29491, #16711).
import { newToolUseId } from "./anthropic-response.js";
import type { AnthropicStreamEvent } from "./types/anthropic.js";
import type { OpenAIToolCallDelta } from "./types/openai.js";

interface ToolState {
  id?: string;
  name?: string;
  /** Argument fragments that arrived before the tool's name; sent once the block can start. */
  pending: string;
  index?: number;
}

type OpenBlock = { kind: "thinking" | "text"; index: number } | { kind: "tool"; index: number; key: number };

export class ContentBlocks {
  private nextIndex = 0;
  private open: OpenBlock | undefined;
  private readonly tools = new Map<number, ToolState>();
  private lastToolKey = 0;
  private toolStarted = false;

  /** `toolUseId` names a call the backend sent without an id. */
  constructor(private readonly toolUseId: () => string = newToolUseId) {}

  /** A tool_use block was started (the message then stops for tool use). */
  get usedTools(): boolean {
    return this.toolStarted;
  }

  text(kind: "thinking" | "text", text: string, out: AnthropicStreamEvent[]): void {
    if (this.open?.kind !== kind) {
      this.close(out);
      const index = this.nextIndex++;
      this.open = { kind, index };
      out.push({
        type: "content_block_start",
        index,
        content_block: kind === "text" ? { type: "text", text: "" } : { type: "thinking", thinking: "", signature: "" },
      });
    }
    out.push({
      type: "content_block_delta",
      index: this.open.index,
      delta: kind === "text" ? { type: "text_delta", text } : { type: "thinking_delta", thinking: text },
    });
  }

  tool(tc: OpenAIToolCallDelta, out: AnthropicStreamEvent[]): void {
    const key = this.toolKey(tc);
    this.lastToolKey = key;
    let st = this.tools.get(key);
    if (!st) {
      st = { pending: "" };
      this.tools.set(key, st);
    }
    if (tc.id && !st.id) st.id = tc.id;
    const name = tc.function?.name;
    if (name && st.index === undefined) st.name = name;
    const args = tc.function?.arguments ?? "";
    if (st.index === undefined) {
      st.pending += args;
      if (st.name) this.startTool(key, st, out);
      return;
    }
    if (!args) return;
    if (!(this.open?.kind === "tool" && this.open.key === key)) {
      // A call whose block is already closed got more arguments (engines do not interleave calls,
      // but if one does, the fragment still reaches the client's block by index rather than vanish).
      if (this.open?.kind !== "tool") this.close(out);
    }
    out.push({ type: "content_block_delta", index: st.index, delta: { type: "input_json_delta", partial_json: args } });
  }

  /** Closes the open block, if any. */
  close(out: AnthropicStreamEvent[]): void {
    if (!this.open) return;
    out.push({ type: "content_block_stop", index: this.open.index });
    this.open = undefined;
  }

  /** The message is complete: closes the open block and delivers calls whose name never arrived. */
  finish(out: AnthropicStreamEvent[]): void {
    this.close(out);
    // They still carry the model's arguments: deliver them rather than drop them.
    for (const [key, st] of this.tools) {
      if (st.index === undefined && (st.pending || st.id)) {
        this.startTool(key, st, out);
        this.close(out);
      }
    }
  }

  private toolKey(tc: OpenAIToolCallDelta): number {
    if (typeof tc.index === "number") return tc.index;
    // Engines that omit `index` send one whole call per delta: a new id means a new call.
    if (tc.id) {
      for (const [k, st] of this.tools) if (st.id === tc.id) return k;
      return this.tools.size === 0 ? 0 : Math.max(...this.tools.keys()) + 1;
    }
    return this.lastToolKey;
  }

  private startTool(key: number, st: ToolState, out: AnthropicStreamEvent[]): void {
    this.close(out);
    const index = this.nextIndex++;
    st.index = index;
    this.toolStarted = true;
    this.open = { kind: "tool", index, key };
    out.push({
      type: "content_block_start",
      index,
      content_block: { type: "tool_use", id: st.id || this.toolUseId(), name: st.name ?? "", input: {} },
    });
    if (st.pending) {
      out.push({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: st.pending } });
      st.pending = "";
    }
  }
}
