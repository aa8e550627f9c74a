// llama.cpp's /props (engines/llamacpp.ts), read by the probe.
import { describe, expect, it } from "vitest";
import { llamacppAdapter } from "../../../router/engines/llamacpp.js";
import type { ProbeIO } from "../../../router/engines/types.js";

/** A llama-server that is up, serves "tiny" and answers /props with `props`. */
function server(props: unknown): ProbeIO {
  const answers: Record<string, unknown> = {
    "/health": { status: "ok" },
    "/v1/models": { object: "list", data: [{ id: "tiny", object: "model" }] },
    "/props": props,
  };
  return {
    get: (path) => Promise.resolve({ status: 200, json: answers[path] }),
    post: () => Promise.resolve({ status: 404, json: undefined }),
  };
}

describe("llama.cpp's context size", () => {
  it.each([
    [{ default_generation_settings: { n_ctx: 8192 } }, 8192],
    [{ n_ctx: 4096 }, 4096],
    [{}, undefined],
  ])("reads /props %j as %s", async (props, ctx) => {
    const report = await llamacppAdapter.probe(server(props), [], undefined);
    expect(report.models?.get("tiny")?.contextLength).toBe(ctx);
  });
});
