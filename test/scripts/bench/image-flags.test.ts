// The benchmark runs the compiled router with the node flags of the image's ENTRYPOINT.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { entrypointNodeFlags } from "../../../scripts/bench/image-flags.js";

const here = dirname(fileURLToPath(import.meta.url));

describe("entrypointNodeFlags", () => {
  const cases: [string, string, string[]][] = [
    ["no flags", 'ENTRYPOINT ["node", "dist/router/main.js"]', []],
    ["one V8 flag", 'ENTRYPOINT ["node", "--max-semi-space-size=8", "dist/router/main.js"]', ["--max-semi-space-size=8"]],
    ["several flags, later lines ignored", 'FROM x\nENTRYPOINT ["node","--a=1","--b","dist/router/main.js"]\nCMD ["--config","c"]', ["--a=1", "--b"]],
    ["shell form is not read", "ENTRYPOINT node --x dist/router/main.js", []],
    ["another program", 'ENTRYPOINT ["tini", "--", "node", "dist/router/main.js"]', []],
    ["another entry", 'ENTRYPOINT ["node", "--x", "other.js"]', []],
    ["no ENTRYPOINT", 'CMD ["node", "dist/router/main.js"]', []],
  ];
  it.each(cases)("%s", (_name, dockerfile, flags) => {
    expect(entrypointNodeFlags(dockerfile)).toEqual(flags);
  });

  it("reads the router's own Dockerfile without error", () => {
    const flags = entrypointNodeFlags(readFileSync(join(here, "../../../router/Dockerfile"), "utf8"));
    for (const f of flags) expect(f.startsWith("--")).toBe(true);
  });
});
