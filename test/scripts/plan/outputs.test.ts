// The alias table per router host comes from the program's `routerConfigs` output, and from the
// `aliases` output of a base ref whose program still exported it under that name.
import { describe, expect, it } from "vitest";
import { captureProgram } from "../../../scripts/plan/capture.js";

const perHost = { box: { backends: {}, aliases: { chat: { targets: [{ backend: "b", model: "m" }] } } } };
const config = {
  values: { router: { hosts: ["other"], aliases: { fromConfig: { targets: [{ backend: "c", model: "n" }] } } } },
  secretKeys: [],
  placeholders: [],
};

describe("the alias table of a capture", () => {
  it.each(["routerConfigs", "aliases"])("is read from the %s output", async (output) => {
    const c = await captureProgram({ project: "aistack", stack: "test", config, program: () => ({ [output]: perHost }) });
    expect(c.aliases).toEqual({ box: { chat: [{ backend: "b", model: "m" }] } });
  });

  it("falls back to the stack config when the program exports neither", async () => {
    const c = await captureProgram({ project: "aistack", stack: "test", config, program: () => ({ urls: {} }) });
    expect(c.aliases).toEqual({ other: { fromConfig: [{ backend: "c", model: "n" }] } });
  });
});
