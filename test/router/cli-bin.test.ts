// The router's command line outside `npm run`: package.json names a bin, `aistack-router`, that is
// the compiled entry (what `npm run build` writes from router/main.ts, run by its node shebang); and
// the documented way to write the JSON Schema through npm, `npm run -s`, writes only the schema.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { routerConfigJsonSchema } from "../../router/config/schema.js";

const root = new URL("../../", import.meta.url);
const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(path, root), "utf8")) as Record<string, unknown>;

describe("the router's command line", () => {
  it("is a bin of the package: the compiled router/main.ts, started by its shebang", () => {
    const pkg = readJson("package.json") as { bin?: Record<string, string> };
    expect(pkg.bin).toEqual({ "aistack-router": "dist/router/main.js" });
    // tsc writes router/main.ts to <outDir>/<path from rootDir>, keeping its first-line shebang.
    const build = readJson("tsconfig.build.json") as { compilerOptions: { outDir: string; rootDir: string }; include: string[] };
    expect(build.compilerOptions).toMatchObject({ outDir: "dist", rootDir: "." });
    expect(build.include).toContain("router");
    expect(readFileSync(new URL("router/main.ts", root), "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
  });

  it("npm run -s router -- --json-schema prints the schema and nothing else", () => {
    const r = spawnSync("npm", ["run", "-s", "router", "--", "--json-schema"], { cwd: root, encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(routerConfigJsonSchema());
  });
});
