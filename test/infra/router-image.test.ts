// The router container's command is passed to the image's ENTRYPOINT, so the two must agree: the
// image runs `node dist/router/main.js`, the stack adds only the router's own options.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validateStackConfig } from "../../infra/config/load.js";
import { planRouter } from "../../infra/plan/router.js";
import { readStackFile, testHome, withSecrets } from "./harness.js";

function entrypoint(): string[] {
  const text = readFileSync(new URL("../../router/Dockerfile", import.meta.url), "utf8");
  const line = text.split("\n").find((l) => l.startsWith("ENTRYPOINT "));
  if (!line) throw new Error("router/Dockerfile has no ENTRYPOINT");
  return JSON.parse(line.slice("ENTRYPOINT ".length)) as string[];
}

// The options router/main.ts accepts (parseArgs strict: anything else, a positional included, exits 2).
const routerOptions = new Set(["--config", "--port", "--host"]);

describe("router container command", () => {
  it("the image's ENTRYPOINT runs the compiled router", () => {
    const ep = entrypoint();
    expect(ep[0]).toBe("node");
    expect(ep.at(-1)).toBe("dist/router/main.js");
  });

  it.each(["home", "local"])("the %s stack passes only router options to it", (stack) => {
    const r = validateStackConfig({ values: withSecrets(readStackFile(stack)), secretKeys: new Set(["secrets"]) });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const specs = planRouter(r.config, testHome);
    expect(specs.length).toBeGreaterThan(0);
    for (const spec of specs) {
      const cmd = spec.command ?? [];
      for (let i = 0; i < cmd.length; i += 2) expect(routerOptions, `${spec.name}: ${cmd.join(" ")}`).toContain(cmd[i]);
      expect(cmd).toContain("--config");
    }
  });
});
