// A config file's text to a table or to its problems (config/load.ts).
import { describe, expect, it } from "vitest";
import { loadText } from "./watched.js";

describe("config text", () => {
  it("reports JSON syntax errors at the root and schema errors with paths", async () => {
    const bad = await loadText("{");
    expect(bad.ok === false && bad.problems[0]?.path).toBe("(root)");
    const wrong = await loadText(JSON.stringify({ backends: {}, aliases: { a: { targets: [{ backend: "x", model: "m" }] } } }));
    expect(wrong.ok === false && wrong.problems.map((p) => p.path)).toContain("aliases.a.targets[0].backend");
  });
});
