// Reads a project and one of its stack files the way the Pulumi CLI would hand them to the program,
// without the CLI: encrypted values cannot be read offline, so every secret becomes a placeholder.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { Json } from "./types.js";

export interface ProjectFile {
  name: string;
  /** The program entry, relative to the project root. */
  main: string;
  /** Where Pulumi.<stack>.yaml files live, relative to the project root. */
  stackConfigDir: string;
}

export class PlanError extends Error {}

/** Pure: Pulumi.yaml's text to the fields the capture needs (Pulumi's defaults when absent). */
export function parseProjectFile(text: string): ProjectFile {
  const doc = parse(text) as { name?: unknown; main?: unknown; stackConfigDir?: unknown } | null;
  if (!doc || typeof doc.name !== "string") throw new PlanError("Pulumi.yaml has no project name");
  return {
    name: doc.name,
    main: typeof doc.main === "string" ? doc.main : "index.ts",
    stackConfigDir: typeof doc.stackConfigDir === "string" ? doc.stackConfigDir : ".",
  };
}

export function readProjectFile(root: string): ProjectFile {
  const file = join(root, "Pulumi.yaml");
  if (!existsSync(file)) throw new PlanError(`no Pulumi.yaml in ${root}`);
  return parseProjectFile(readFileSync(file, "utf8"));
}

export function stackFilePath(root: string, project: ProjectFile, stack: string): string {
  return join(root, project.stackConfigDir, `Pulumi.${stack}.yaml`);
}

export interface StackValues {
  /** `<project>:<key>` values, without the namespace. */
  values: Record<string, Json>;
  /** Top-level keys that hold secrets (they are handed to the program as secret config). */
  secretKeys: string[];
  placeholders: string[];
}

const placeholderPrefix = "plan-placeholder-";

/** A stable stand-in for a secret at a config path; long enough for any minimum-length rule. */
function placeholderFor(path: string): string {
  return `${placeholderPrefix}${path}`;
}

function isEncrypted(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as Record<string, unknown>).secure === "string";
}

/** Replaces each `{ secure: ... }` value with a placeholder; returns whether any was found. */
function replaceEncrypted(v: unknown, path: string, found: string[]): Json {
  if (isEncrypted(v)) {
    const p = placeholderFor(path);
    found.push(p);
    return p;
  }
  if (Array.isArray(v)) return v.map((x, i) => replaceEncrypted(x, `${path}[${i}]`, found));
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceEncrypted(x, `${path}.${k}`, found)]));
  }
  return v as Json;
}

/**
 * Pure: the namespaced config of a stack file, with secrets the file leaves out (or carries encrypted)
 * filled with placeholders. The file comments name the ones a real stack sets: the HF token, the Open
 * WebUI secret key and one API key per router key name. A kubeconfig is filled only when the file
 * declares one, because without it the program uses the ambient kubeconfig.
 */
export function stackValues(text: string, project: string): StackValues {
  const doc = parse(text) as { config?: Record<string, unknown> } | null;
  const config = doc?.config ?? {};
  const placeholders: string[] = [];
  const values: Record<string, Json> = {};
  const secretKeys = new Set<string>();
  for (const [k, v] of Object.entries(config)) {
    if (!k.startsWith(`${project}:`)) continue;
    const key = k.slice(project.length + 1);
    const found: string[] = [];
    values[key] = replaceEncrypted(v, key, found);
    if (found.length) secretKeys.add(key);
    placeholders.push(...found);
  }
  const secrets = (typeof values.secrets === "object" && values.secrets !== null && !Array.isArray(values.secrets) ? values.secrets : {}) as Record<
    string,
    Json
  >;
  const fill = (obj: Record<string, Json>, key: string, path: string): void => {
    if (obj[key] !== undefined) return;
    const p = placeholderFor(path);
    obj[key] = p;
    placeholders.push(p);
  };
  fill(secrets, "hfToken", "secrets.hfToken");
  fill(secrets, "webuiSecretKey", "secrets.webuiSecretKey");
  const router = values.router as { apiKeys?: { name?: unknown }[] } | undefined;
  const apiKeys = (typeof secrets.apiKeys === "object" && secrets.apiKeys !== null && !Array.isArray(secrets.apiKeys) ? secrets.apiKeys : {}) as Record<
    string,
    Json
  >;
  for (const k of router?.apiKeys ?? []) if (typeof k.name === "string") fill(apiKeys, k.name, `secrets.apiKeys.${k.name}`);
  secrets.apiKeys = apiKeys;
  values.secrets = secrets;
  secretKeys.add("secrets");
  return { values, secretKeys: [...secretKeys].sort(), placeholders: [...new Set(placeholders)].sort() };
}
