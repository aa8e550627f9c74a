// llama.cpp's /props (engines/llamacpp.ts).
import { describe, expect, it } from "vitest";
import { llamacppContext } from "../../../router/engines/llamacpp.js";

describe("llamacppContext", () => {
  it("reads llama.cpp's n_ctx from /props", () => {
    expect(llamacppContext({ default_generation_settings: { n_ctx: 8192 } })).toBe(8192);
    expect(llamacppContext({ n_ctx: 4096 })).toBe(4096);
    expect(llamacppContext({})).toBeUndefined();
  });
});
