// A config file's text to a table or to its problems (config/load.ts).
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../../router/config/load.js";

describe("config text", () => {
  it("reports JSON syntax errors at the root and schema errors with paths", () => {
    const bad = parseConfigText("{");
    expect(bad.ok === false && bad.problems[0]?.path).toBe("(root)");
    const wrong = parseConfigText(JSON.stringify({ backends: {}, aliases: { a: { targets: [{ backend: "x", model: "m" }] } } }));
    expect(wrong.ok === false && wrong.problems.map((p) => p.path)).toContain("aliases.a.targets[0].backend");
  });
});
