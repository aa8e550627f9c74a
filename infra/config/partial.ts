// Parses the stack config part by part, so one bad part neither hides the problems of the others nor
// keeps the cross-checks from running over what did parse. Each top-level section is parsed on its own
// (its problems are exactly what a whole-config parse reports under that key); a section that fails is
// then salvaged entry by entry (each host, backend, alias, API key secret) or field by field, and what
// could not be salvaged is recorded as present-but-invalid so the cross-checks stay quiet about it.
import type { z } from "zod";
import { aliasSchema, nameSchema } from "../../router/config/schema.js";
import { configPath, rmFix, type ConfigProblem } from "./problems.js";
import { apiKeySecretSchema, backendSchema, hostSchema, ingressSchema, routerSchema, secretsSchema, stackConfigSchema, type StackConfig } from "./schema.js";
import { zodProblems } from "./zodProblems.js";

/** Marks a whole record section as unusable: every name in it counts as present-but-invalid. */
const EVERY_NAME = "*";

/** What exists in the user's config but did not parse; a reference to it is not an "unknown" reference. */
export interface Unparsed {
  hosts: ReadonlySet<string>;
  backends: ReadonlySet<string>;
  /** router.aliases entries. */
  aliases: ReadonlySet<string>;
  /** secrets.apiKeys entries. */
  secretKeys: ReadonlySet<string>;
  /** Other parts whose value is present but invalid, by config path: "openWebUI", "router.port", ... */
  parts: ReadonlySet<string>;
}

export const nothingUnparsed: Unparsed = { hosts: new Set(), backends: new Set(), aliases: new Set(), secretKeys: new Set(), parts: new Set() };

export function isUnparsed(names: ReadonlySet<string>, name: string): boolean {
  return names.has(name) || names.has(EVERY_NAME);
}

export interface PartialStackConfig {
  /** Every part that parsed; a part that did not is left out (records) or neutral (fields), see `unparsed`. */
  config: StackConfig;
  unparsed: Unparsed;
  /** The schema problems of every part, at their full paths. */
  problems: ConfigProblem[];
  /** True when every section parsed, i.e. `config` is the whole config. */
  complete: boolean;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parsed<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const r = schema.safeParse(value);
  return r.success ? r.data : undefined;
}

/** The entries of a record whose name and value both parse; the rest are named in `broken`. */
function salvageRecord<T>(raw: unknown, entry: z.ZodType<T>, broken: Set<string>): Record<string, T> {
  const ok: Record<string, T> = {};
  if (!isObject(raw)) {
    broken.add(EVERY_NAME);
    return ok;
  }
  for (const [name, value] of Object.entries(raw)) {
    const v = parsed(entry, value);
    if (v !== undefined && nameSchema.safeParse(name).success) ok[name] = v;
    else broken.add(name);
  }
  return ok;
}

export function parseByPart(values: Readonly<Record<string, unknown>>): PartialStackConfig {
  const problems: ConfigProblem[] = [];
  const hosts = new Set<string>();
  const backends = new Set<string>();
  const aliases = new Set<string>();
  const secretKeys = new Set<string>();
  const parts = new Set<string>();
  const shape = stackConfigSchema.shape;
  let complete = true;

  for (const key of Object.keys(values)) {
    if (!Object.hasOwn(shape, key)) {
      const path = configPath([key]);
      problems.push({ path, message: `unknown key "${key}"`, fix: rmFix(path) });
      complete = false;
    }
  }

  /** Parses one section on its own; on failure reports its problems and returns undefined. */
  function section<T>(key: keyof typeof shape, schema: z.ZodType<T>): T | undefined {
    const r = schema.safeParse(values[key]);
    if (r.success) return r.data;
    problems.push(...zodProblems(r.error.issues, [key]));
    complete = false;
    return undefined;
  }

  const hostsSection = section("hosts", shape.hosts) ?? salvageRecord(values.hosts, hostSchema, hosts);
  const backendsSection = section("backends", shape.backends) ?? salvageRecord(values.backends, backendSchema, backends);

  const openWebUI = section("openWebUI", shape.openWebUI);
  if (openWebUI === undefined && values.openWebUI !== undefined) parts.add("openWebUI");
  // Nothing refers to Kokoro, so a broken one needs no marking.
  const kokoro = section("kokoro", shape.kokoro);

  const router = section("router", shape.router) ?? salvageRouter(values.router, { aliases, parts });
  const ingress = section("ingress", shape.ingress) ?? salvageIngress(values.ingress, parts);
  const secrets = section("secrets", shape.secrets) ?? salvageSecrets(values.secrets, secretKeys);

  const config: StackConfig = { hosts: hostsSection, backends: backendsSection, openWebUI, kokoro, router, ingress, secrets };
  return { config, unparsed: { hosts, backends, aliases, secretKeys, parts }, problems, complete };
}

type RouterSection = StackConfig["router"];

/** Field by field: a field that does not parse is neutral (empty) and marked, so no check reads it. */
function salvageRouter(raw: unknown, into: { aliases: Set<string>; parts: Set<string> }): RouterSection {
  const r = isObject(raw) ? raw : {};
  const f = routerSchema.shape;
  const field = <T>(name: keyof typeof f, schema: z.ZodType<T>): T | undefined => {
    const v = parsed(schema, r[name]);
    if (v === undefined && r[name] !== undefined) into.parts.add(`router.${name}`);
    return v;
  };
  const hosts = field("hosts", f.hosts);
  // A missing router.hosts is its own problem; its consequences are unknown just like an invalid one.
  if (hosts === undefined) into.parts.add("router.hosts");
  const port = field("port", f.port);
  if (port === undefined) into.parts.add("router.port");
  const apiKeys = field("apiKeys", f.apiKeys);
  if (apiKeys === undefined) into.parts.add("router.apiKeys");
  return {
    hosts: hosts ?? [],
    port: port ?? 0,
    image: parsed(f.image, r.image),
    baseImage: parsed(f.baseImage, r.baseImage),
    drainMs: parsed(f.drainMs, r.drainMs),
    apiKeys: apiKeys ?? [],
    aliases: salvageRecord(r.aliases, aliasSchema, into.aliases),
    claudeModels: field("claudeModels", f.claudeModels),
  };
}

type IngressSection = StackConfig["ingress"];

/** Only `enabled` and `domain` feed the cross-checks; an invalid one turns its checks off. */
function salvageIngress(raw: unknown, parts: Set<string>): IngressSection {
  const r = isObject(raw) ? raw : {};
  const f = ingressSchema.shape;
  const enabled = parsed(f.enabled, r.enabled);
  const domain = parsed(f.domain, r.domain);
  if (domain === undefined && r.domain !== undefined) parts.add("ingress.domain");
  return { ...ingressSchema.parse({}), enabled: enabled ?? false, domain };
}

type SecretsSection = StackConfig["secrets"];

/** Only the API key secrets feed the cross-checks; each entry stands on its own. */
function salvageSecrets(raw: unknown, secretKeys: Set<string>): SecretsSection {
  if (!isObject(raw)) {
    secretKeys.add(EVERY_NAME);
    return secretsSchema.parse({});
  }
  return { apiKeys: raw.apiKeys === undefined ? {} : salvageRecord(raw.apiKeys, apiKeySecretSchema, secretKeys) };
}
