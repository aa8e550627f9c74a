// The one Pulumi test harness: the stack files in stacks/, and the program run under mocks from a stack
// file (or a config object) with every resource recorded. The plan tool's tests (test/scripts/plan/)
// read their stacks through it too.
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { loadStackConfig } from "../../infra/config/load.js";
import { buildStack, type StackOutputs } from "../../infra/program.js";
import { unwrap } from "../../scripts/plan/capture.js";
import { cliConfig, runUnderMocks } from "../../scripts/plan/mocks.js";

export interface RecordedResource {
  type: string;
  name: string;
  /** Inputs with secrets unwrapped to their values. */
  inputs: Record<string, unknown>;
  /** Inputs as the engine sees them: secrets still wrapped. */
  rawInputs: Record<string, unknown>;
  provider?: string;
  /** False for component resources (the mock sees those too). */
  custom: boolean;
}

export const project = "aistack";
export const testHome = "/home/tester";
/** The repository's root, with a trailing slash. */
export const root = fileURLToPath(new URL("../../", import.meta.url));

/** A stack file's text, as committed. */
export function stackText(stack: string): string {
  return readFileSync(new URL(`../../stacks/Pulumi.${stack}.yaml`, import.meta.url), "utf8");
}

/** Every config value of a stack file, keys as written (`aistack:hosts`, `pulumi:disable-default-providers`). */
export function readStackConfigValues(stack: string): Record<string, unknown> {
  const doc = parse(stackText(stack)) as { config?: Record<string, unknown> } | null;
  return doc?.config ?? {};
}

/** The `aistack:*` values of a stack file, as plain objects keyed without the namespace. */
export function readStackFile(stack: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(readStackConfigValues(stack))) if (k.startsWith(`${project}:`)) out[k.slice(project.length + 1)] = v;
  return out;
}

/** The values of a stack file outside the project's namespace (`pulumi:disable-default-providers`, ...). */
export function foreignConfig(stack: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(readStackConfigValues(stack)).filter(([k]) => !k.startsWith(`${project}:`)));
}

/** The stack files in stacks/, by stack name. */
export const stackNames: string[] = readdirSync(new URL("../../stacks/", import.meta.url))
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined)
  .sort();

/**
 * Secrets a stack file leaves out: tests supply them the way the Pulumi CLI hands them to a program,
 * through setAllConfig with the key listed as secret.
 */
const testSecrets = {
  hfToken: "hf_test_token_0000000000",
  webuiSecretKey: "test-webui-secret-key-000",
  apiKeys: { laptop: "sk-laptop-test-key-0000", "open-webui": "sk-owui-test-key-00000" },
};

/** Adds the test secrets a stack needs: the HF token, and a key for each router.apiKeys entry. */
export function withSecrets(values: Record<string, unknown>): Record<string, unknown> {
  const names = ((values.router as { apiKeys?: { name: string }[] } | undefined)?.apiKeys ?? []).map((k) => k.name);
  const apiKeys = Object.fromEntries(names.map((n) => [n, (testSecrets.apiKeys as Record<string, string>)[n] ?? `sk-${n}-test-key-000000`]));
  return { ...values, secrets: { ...testSecrets, apiKeys } };
}

/**
 * Installs config (as the CLI would) so pulumi.Config and the secret-key list see it. `foreign` holds keys
 * outside the project namespace, as written (the CLI hands a string value as is, anything else as JSON).
 */
/** The config a program sees, as the CLI hands it over (see scripts/plan/mocks.ts). */
function configOf(values: Record<string, unknown>, foreign: Record<string, unknown>): Record<string, string> {
  return { ...cliConfig(foreign), ...cliConfig(values, project) };
}

/**
 * Installs config (as the CLI would) so pulumi.Config and the secret-key list see it, for tests that
 * run the config loader without the program. `foreign` holds keys outside the project namespace.
 */
export function installConfig(values: Record<string, unknown>, secretKeys: string[] = ["secrets"], foreign: Record<string, unknown> = {}): void {
  pulumi.runtime.setAllConfig(
    configOf(values, foreign),
    secretKeys.map((k) => `${project}:${k}`),
  );
}

export interface Run {
  resources: RecordedResource[];
  outputs: StackOutputs;
}

export async function runProgram(values: Record<string, unknown>, secretKeys: string[] = ["secrets"], foreign: Record<string, unknown> = {}): Promise<Run> {
  const resources: RecordedResource[] = [];
  const outputs = await runUnderMocks({
    project,
    stack: "test",
    config: configOf(values, foreign),
    secretKeys: secretKeys.map((k) => `${project}:${k}`),
    program: () => buildStack(loadStackConfig(), testHome),
    record: (r) => resources.push({ ...r, inputs: unwrap(r.inputs) as Record<string, unknown>, rawInputs: r.inputs }),
    // Not the reference itself, so a test sees a container use the image's id output.
    imageId: (ref) => `id-of:${ref}`,
  });
  return { resources, outputs };
}

export function byType(run: Run, type: string): RecordedResource[] {
  return run.resources.filter((r) => r.type === type);
}

export function envOf(r: RecordedResource): Record<string, string> {
  const envs = (r.inputs.envs ?? []) as unknown[];
  return Object.fromEntries(
    envs.map((e) => {
      const s = String(e);
      const i = s.indexOf("=");
      return [s.slice(0, i), s.slice(i + 1)];
    }),
  );
}
