// The OpenAI-style model list every engine adapter reads (engines/types.ts).
import { describe, expect, it } from "vitest";
import { parseOpenAIModelList } from "../../../router/engines/types.js";

describe("parseOpenAIModelList", () => {
  it("reads vLLM's model list with max_model_len", () => {
    const m = parseOpenAIModelList({ object: "list", data: [{ id: "a", max_model_len: 4096 }, { id: "b" }, { nope: 1 }] }, true);
    expect([...m.entries()]).toEqual([
      ["a", { installed: true, loaded: true, contextLength: 4096 }],
      ["b", { installed: true, loaded: true }],
    ]);
  });
});
