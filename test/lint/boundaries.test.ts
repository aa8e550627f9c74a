// The module boundaries in eslint.config.js: each rule reports a deliberate violation, and a legal import
// passes. The project's own config is loaded as is; only type-aware linting is switched off (the probes
// are not files of the TypeScript project, and the boundary rule needs no types).
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const eslint = new ESLint({
  cwd: root,
  overrideConfig: [
    {
      files: ["**/*.ts"],
      ...tseslint.configs.disableTypeChecked,
      languageOptions: { parserOptions: { projectService: false } },
      rules: {
        ...tseslint.configs.disableTypeChecked.rules,
        "@pulumi/no-output-in-template-literal": "off",
        "@pulumi/no-output-instance-in-template-literal": "off",
      },
    },
  ],
});

async function boundaryFindings(filePath: string, from: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { x } from ${JSON.stringify(from)};\nexport const y = x;\n`, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? "(parse)"}: ${m.message}`);
}

describe("module boundaries", () => {
  it.each([
    ["a face importing the proxy", "router/faces/boundary-probe.ts", "../proxy/forward.js"],
    ["a face's dialect folder importing the proxy", "router/faces/openai/boundary-probe.ts", "../../proxy/forward.js"],
    ["the router importing Pulumi", "router/boundary-probe.ts", "@pulumi/pulumi"],
    ["the router importing the Pulumi program", "router/config/boundary-probe.ts", "../../infra/config/schema.js"],
    ["the router importing a script", "router/boundary-probe.ts", "../scripts/plan/capture.js"],
    ["the router importing the engine fakes", "router/boundary-probe.ts", "../tools/fakes/index.js"],
    ["the router importing a test", "router/proxy/boundary-probe.ts", "../../test/router/harness.js"],
    ["a face importing the Pulumi program", "router/faces/boundary-probe.ts", "../../infra/program.js"],
    ["the Pulumi program importing the router's proxy", "infra/components/boundary-probe.ts", "../../router/proxy/forward.js"],
    ["the Pulumi program importing the router's config loader", "infra/boundary-probe.ts", "../router/config/load.js"],
    ["backend state importing a face", "router/backends/boundary-probe.ts", "../faces/types.js"],
    ["backend state importing the HTTP layer", "router/backends/boundary-probe.ts", "../http/reply.js"],
    ["backend state importing the health module", "router/backends/boundary-probe.ts", "../health/passive.js"],
    ["backend state importing the proxy", "router/backends/boundary-probe.ts", "../proxy/forward.js"],
    ["backend state importing telemetry", "router/backends/boundary-probe.ts", "../telemetry/metrics.js"],
    ["backend state importing alias resolution", "router/backends/boundary-probe.ts", "../aliases/views.js"],
    ["alias resolution importing a face", "router/aliases/boundary-probe.ts", "../faces/types.js"],
    ["alias resolution importing the proxy", "router/aliases/boundary-probe.ts", "../proxy/forward.js"],
    ["the routing policy importing the proxy", "router/routing/boundary-probe.ts", "../proxy/attempt.js"],
    ["the routing policy importing the HTTP layer", "router/routing/boundary-probe.ts", "../http/reply.js"],
    ["the health module importing the proxy", "router/health/boundary-probe.ts", "../proxy/attempt.js"],
    ["the health module importing the HTTP layer", "router/health/boundary-probe.ts", "../http/drain.js"],
    ["telemetry importing the proxy", "router/telemetry/boundary-probe.ts", "../proxy/forward.js"],
    ["telemetry importing backend state", "router/telemetry/boundary-probe.ts", "../backends/registry.js"],
    ["the error catalogue importing telemetry", "router/errors.ts", "./telemetry/log.js"],
    ["cancellation importing the HTTP layer", "router/cancel.ts", "./http/drain.js"],
    ["a module below the top importing the request path", "router/proxy/boundary-probe.ts", "../request.js"],
    ["a module below the top importing the ops endpoints", "router/health/boundary-probe.ts", "../ops/status.js"],
  ])("reports %s", async (_case, file, from) => {
    const findings = await boundaryFindings(file, from);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(/^no-restricted-imports: /);
  });

  it.each([
    ["a face importing the router's config schema", "router/faces/boundary-probe.ts", "../config/schema.js"],
    ["a face importing a translator", "router/faces/openai/boundary-probe.ts", "../../translate/anthropic-request.js"],
    ["the proxy importing the routing policy", "router/proxy/boundary-probe.ts", "../routing/pick.js"],
    ["alias resolution importing backend state", "router/aliases/boundary-probe.ts", "../backends/warmth.js"],
    ["the proxy importing the health module", "router/proxy/boundary-probe.ts", "../health/passive.js"],
    ["backend state importing the engines and the ground floor", "router/backends/boundary-probe.ts", "../engines/types.js"],
    ["the health module importing telemetry", "router/health/boundary-probe.ts", "../telemetry/log.js"],
    ["telemetry importing the error catalogue", "router/telemetry/boundary-probe.ts", "../errors.js"],
    ["cancellation importing the error catalogue", "router/cancel.ts", "./errors.js"],
    ["the request path importing the ops endpoints", "router/request.ts", "./ops/endpoints.js"],
    ["the Pulumi program importing the router's config schema", "infra/specs/boundary-probe.ts", "../../router/config/schema.js"],
    ["the Pulumi program importing Pulumi", "infra/components/boundary-probe.ts", "@pulumi/pulumi"],
    ["a script importing the router and the program", "scripts/boundary-probe.ts", "../router/proxy/forward.js"],
  ])("allows %s", async (_case, file, from) => {
    expect(await boundaryFindings(file, from)).toEqual([]);
  });

  it("reports a router module over 250 lines, and passes one of 250", async () => {
    const lines = (n: number): string => Array.from({ length: n }, (_, i) => `export const v${i} = ${i};`).join("\n") + "\n";
    const lint = async (text: string) => (await eslint.lintText(text, { filePath: "router/proxy/boundary-probe.ts" }))[0]?.messages ?? [];
    expect((await lint(lines(251))).map((m) => m.ruleId)).toEqual(["max-lines"]);
    expect(await lint(lines(250))).toEqual([]);
  });
});
