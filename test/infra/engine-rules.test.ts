// Rules the real Pulumi engine and providers enforce that mocks do not: each of these once stopped or
// disturbed a real `pulumi preview`/`up` while every mocked test passed. They read the files and the
// rendered stack as a whole, so a new key, resource or field is covered without editing the tests.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { canonicalGoDuration, isGoDuration } from "./go-duration.js";
import { foreignConfig, project, readStackConfigValues, readStackFile, runProgram, stackNames, withSecrets } from "./harness.js";

interface DeclaredKey {
  type?: string;
  default?: unknown;
  value?: unknown;
  secret?: boolean;
}

const projectFile = parse(readFileSync(new URL("../../Pulumi.yaml", import.meta.url), "utf8")) as {
  name: string;
  config?: Record<string, DeclaredKey | string | number | boolean>;
};

/** Whether a default has the declared type (the CLI rejects a project whose default does not). */
function defaultFits(type: string | undefined, value: unknown): boolean {
  switch (type) {
    case undefined:
      return true;
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return false;
  }
}

describe("Pulumi.yaml config declarations", () => {
  // The CLI treats a declared key of the project without a default as required: a stack file that
  // lacks it stops `pulumi preview` before the program runs ("Stack 'x' is missing configuration value").
  const declared = Object.entries(projectFile.config ?? {}).filter(([k]) => !k.includes(":") || k.startsWith(`${projectFile.name}:`));

  it("the project name is the namespace the program reads", () => {
    expect(projectFile.name).toBe(project);
    expect(declared.length).toBeGreaterThan(0);
  });

  it.each(stackNames)("every declared key is optional or set in stacks/Pulumi.%s.yaml", (stack) => {
    const values = readStackConfigValues(stack);
    const missing = declared
      .filter(([key, decl]) => {
        // A bare value (`key: 5`) is its own default.
        if (typeof decl !== "object" || decl === null) return false;
        if (decl.default !== undefined || decl.value !== undefined) return false;
        const bare = key.replace(`${projectFile.name}:`, "");
        return !(`${projectFile.name}:${bare}` in values);
      })
      .map(([key]) => key);
    expect(missing, `declared without a default and not set in Pulumi.${stack}.yaml`).toEqual([]);
  });

  it("every default is one the CLI accepts: of the declared type, and not on a key declared secret", () => {
    for (const [key, decl] of declared) {
      if (typeof decl !== "object" || decl === null || decl.default === undefined) continue;
      expect(defaultFits(decl.type, decl.default), `${key}: default ${JSON.stringify(decl.default)} is not a ${decl.type}`).toBe(true);
      // A plain default of a `secret: true` key fails validation: "configuration key '<k>' must be encrypted as it's secret".
      expect(decl.secret, `${key}: a secret key cannot have a plain default`).not.toBe(true);
    }
  });
});

describe.each(stackNames)("stack %s under the engine's provider rules", (stack) => {
  const run = () => runProgram(withSecrets(readStackFile(stack)), ["secrets"], foreignConfig(stack));

  it("disables default providers, so every resource must name one", () => {
    expect(foreignConfig(stack)["pulumi:disable-default-providers"]).toEqual(["*"]);
  });

  it("every custom resource names an explicit provider of its own package", async () => {
    const { resources } = await run();
    const custom = resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
    expect(custom.length).toBeGreaterThan(0);
    for (const r of custom) {
      expect(r.provider, `${r.type} ${r.name} names no provider`).toBeDefined();
      const pkg = r.type.split(":")[0] ?? "";
      expect(r.provider, `${r.type} ${r.name}`).toMatch(new RegExp(`[:$]pulumi:providers:${pkg}::`));
    }
  });

  it("every duration in every resource input is written as Go prints it (the form providers store)", async () => {
    const { resources } = await run();
    const found: string[] = [];
    const walk = (v: unknown, at: string): void => {
      if (typeof v === "string") {
        if (isGoDuration(v)) {
          found.push(at);
          expect(v, `${at} is stored as ${canonicalGoDuration(v)}`).toBe(canonicalGoDuration(v));
        }
      } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
      else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
    };
    for (const r of resources) walk(r.inputs, `${r.type} ${r.name}`);
    // The walk did see durations (healthchecks), so a passing run means something.
    expect(found.length).toBeGreaterThan(0);
  });
});
