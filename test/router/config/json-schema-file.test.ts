import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseRouterConfig, routerConfigJsonSchema } from "../../../router/config/schema.js";

// Editors read router/config.schema.json ("$schema": "./config.schema.json" in a config file); it must
// say what the router accepts today. Regenerate with:
//   npm run --silent router -- --json-schema > router/config.schema.json
describe("router/config.schema.json", () => {
  it("matches the schema the router validates with", () => {
    const file = JSON.parse(readFileSync(new URL("../../../router/config.schema.json", import.meta.url), "utf8")) as unknown;
    expect(file).toEqual(routerConfigJsonSchema());
  });

  it("lets a config name it in $schema", () => {
    const r = parseRouterConfig({
      $schema: "./config.schema.json",
      backends: { b: { engine: "ollama", url: "http://127.0.0.1:11434" } },
      aliases: { chat: { targets: [{ backend: "b", model: "m" }] } },
    });
    expect(r.ok).toBe(true);
  });
});
