// Reads the stack config, validates all of it, and reports every problem at once.
import * as pulumi from "@pulumi/pulumi";
import { crossCheck } from "./checks.js";
import { configError, type ConfigProblem } from "./problems.js";
import { parseByPart } from "./partial.js";
import { stackConfigKeys, type StackConfig } from "./schema.js";
import { checkRouterConfig, renderRouterConfig } from "../specs/routerConfig.js";

export type ValidationResult = { ok: true; config: StackConfig } | { ok: false; problems: ConfigProblem[] };

export interface RawStackConfig {
  values: Record<string, unknown>;
  /** Top-level keys Pulumi holds as secrets (set with --secret). */
  secretKeys: ReadonlySet<string>;
}

/**
 * Pulumi.yaml gives the optional sections the default `{}` (the CLI treats a declared key without a
 * default as required). An empty object therefore means "not set": no Open WebUI, no Kokoro, no secrets.
 */
const emptyMeansUnset = ["openWebUI", "kokoro", "secrets"] as const;

function withoutEmptyDefaults(values: Record<string, unknown>): Record<string, unknown> {
  const out = { ...values };
  for (const key of emptyMeansUnset) {
    const v = out[key];
    if (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0) delete out[key];
  }
  return out;
}

/** Pure: validates the raw values of the top-level keys. */
export function validateStackConfig(raw: RawStackConfig): ValidationResult {
  const problems: ConfigProblem[] = [];
  const values = withoutEmptyDefaults(raw.values);
  if (values.secrets !== undefined && !raw.secretKeys.has("secrets")) {
    problems.push({
      path: "secrets",
      message: "holds secrets in plain text; set each value with --secret",
      fix: "pulumi config rm secrets && pulumi config set --secret --path 'secrets.<name>' <value>",
    });
  }
  // Every part is parsed on its own and the cross-checks run over the parts that parsed, so one pass
  // reports every problem, without the false ones a broken part would cause elsewhere.
  const parts = parseByPart(values);
  problems.push(...parts.problems, ...crossCheck(parts.config, parts.unparsed));
  if (problems.length === 0 && parts.complete) {
    // Last line of defence: the router's own parser must accept what we render for it.
    for (const host of parts.config.router.hosts) {
      for (const p of checkRouterConfig(renderRouterConfig(parts.config, host))) {
        problems.push({
          path: `router (rendered for ${host}): ${p.path}`,
          message: p.message,
          fix: "adjust the router section so the rendered config is valid",
        });
      }
    }
  }
  if (problems.length === 0 && !parts.complete) {
    // Unreachable by construction (an incomplete parse always carries a problem); never accept half a config.
    problems.push({ path: "(stack config)", message: "did not parse", fix: "pulumi config" });
  }
  return problems.length ? { ok: false, problems } : { ok: true, config: parts.config };
}

// The SDK knows which keys were set with --secret but marks the helper internal; if it ever goes away,
// assume secret rather than raise a false alarm.
const runtimeSecrets = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
function isSecretKey(fullKey: string): boolean {
  return runtimeSecrets.isConfigSecret ? runtimeSecrets.isConfigSecret(fullKey) : true;
}

/** Reads `<project>:<key>` for every declared top-level key. Values are plain here; secrets are re-wrapped where used. */
function readStackConfig(config = new pulumi.Config()): RawStackConfig {
  const values: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  for (const key of stackConfigKeys) {
    const v = config.getObject<unknown>(key);
    if (v !== undefined) values[key] = v;
    if (isSecretKey(`${config.name}:${key}`)) secretKeys.add(key);
  }
  return { values, secretKeys };
}

/** Validates before any resource exists; throws one RunError listing every problem. */
export function loadStackConfig(config = new pulumi.Config()): StackConfig {
  const result = validateStackConfig(readStackConfig(config));
  if (!result.ok) throw configError(result.problems);
  return result.config;
}
