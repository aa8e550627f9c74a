// The stack config as the program gets it: `pulumi config --show-secrets --json -s <stack>` (secrets in
// plain text, so it never leaves this process), the project's declared defaults, then the program's own
// validation (infra/config/load.ts). Nothing of the CLI's output is printed.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { validateStackConfig, type RawStackConfig } from "../../infra/config/load.js";
import type { StackConfig } from "../../infra/config/schema.js";

class DriftError extends Error {}

/** Pure: the CLI's `--json` listing (`{"<project>:<key>": {value, objectValue?, secret}}`) → raw values. */
export function parsePulumiConfigJson(text: string, project: string): RawStackConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new DriftError("pulumi config --json printed no JSON");
  }
  const values: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  for (const [k, entry] of Object.entries(typeof doc === "object" && doc !== null ? doc : {})) {
    if (!k.startsWith(`${project}:`) || typeof entry !== "object" || entry === null) continue;
    const key = k.slice(project.length + 1);
    const e = entry as { value?: unknown; objectValue?: unknown; secret?: unknown };
    values[key] = e.objectValue !== undefined ? e.objectValue : e.value;
    if (e.secret === true) secretKeys.add(key);
  }
  return { values, secretKeys };
}

/** Pure: keys Pulumi.yaml declares with a default and the stack leaves out get it, as the CLI does. */
export function withProjectDefaults(raw: RawStackConfig, projectFileText: string): RawStackConfig {
  const doc = parse(projectFileText) as { config?: Record<string, { default?: unknown } | undefined> } | null;
  const values = { ...raw.values };
  for (const [key, decl] of Object.entries(doc?.config ?? {})) {
    if (!key.includes(":") && values[key] === undefined && decl?.default !== undefined) values[key] = decl.default;
  }
  return { values, secretKeys: raw.secretKeys };
}

/** Pure: every problem at once, as the program reports them (paths and advice; never a value). */
export function validated(raw: RawStackConfig, stack: string): StackConfig {
  const r = validateStackConfig(raw);
  if (r.ok) return r.config;
  throw new DriftError(`the config of stack ${stack} is invalid:\n${r.problems.map((p) => `  - ${p.path}: ${p.message}. Fix: ${p.fix}`).join("\n")}`);
}

/** Every secret's text, so the report can be scrubbed of any that slipped through. */
export function secretTexts(cfg: StackConfig): string[] {
  const s = cfg.secrets;
  return [s.hfToken, s.webuiSecretKey, s.kubeconfig, ...Object.values(s.apiKeys)].filter((v): v is string => typeof v === "string" && v !== "");
}

function pulumiConfigJson(root: string, stack: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "pulumi",
      ["config", "--show-secrets", "--json", "-s", stack],
      { cwd: root, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        // stderr carries the CLI's reason; stdout may hold secrets and is dropped.
        const why = stderr.trim().split("\n").pop() ?? (err instanceof Error ? err.message : "failed");
        reject(new DriftError(`pulumi config -s ${stack} failed: ${why || err.message}`));
      },
    );
  });
}

export async function loadStack(root: string, project: string, stack: string): Promise<StackConfig> {
  const raw = parsePulumiConfigJson(await pulumiConfigJson(root, stack), project);
  return validated(withProjectDefaults(raw, readFileSync(join(root, "Pulumi.yaml"), "utf8")), stack);
}
