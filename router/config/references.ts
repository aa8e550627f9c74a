// References between the sections of a router config (a target's backend, a key's aliases, a Claude
// family's alias, key names used twice), checked on the raw value so that a broken part elsewhere does
// not hide them. The router's parser (schema.ts) and the stack config's cross-checks
// (infra/config/checks.ts, through schema.ts) both use this one function.

type Json = Record<string, unknown>;

function object(v: unknown): Json | undefined {
  return isObject(v) ? v : undefined;
}

export function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function array(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A name one section uses that the section it refers to lacks, or an API key name used twice. */
export interface ReferenceProblem {
  /** From the router file's root: `["aliases", "coder", "targets", 0, "backend"]`. */
  path: (string | number)[];
  message: string;
  /** A value that would fix it: the first known name (or a placeholder), or a fresh key name. */
  suggestion: string;
}

/** The sections references run between, as in the router file (each may be anything, or absent). */
export interface ReferenceSections {
  backends?: unknown;
  aliases?: unknown;
  apiKeys?: unknown;
  claudeModels?: unknown;
}

/**
 * Names that count as present though the sections lack them: present but invalid elsewhere (a stack
 * config section that did not parse), so their own problem is reported and a reference to them is not wrong.
 */
export interface AlsoPresent {
  backend?: (name: string) => boolean;
  alias?: (name: string) => boolean;
}

/**
 * References between sections: a target's backend, a key's aliases, a Claude family's alias, and key
 * names used twice. The router's parser and the stack config's cross-checks (infra/config/checks.ts)
 * both use it. Names are looked up as own properties (`"toString" in {}` is true). A section that is
 * not an object at all is reported by the schema; references into it are not checked.
 */
export function referenceProblems(sections: ReferenceSections, alsoPresent: AlsoPresent = {}): ReferenceProblem[] {
  const out: ReferenceProblem[] = [];
  const backends = object(sections.backends);
  const aliases = object(sections.aliases);
  const aliasNames = Object.keys(aliases ?? {});
  const unknownAlias = (alias: unknown, path: (string | number)[]): void => {
    if (aliases && typeof alias === "string" && !Object.hasOwn(aliases, alias) && !alsoPresent.alias?.(alias)) {
      out.push({ path, message: `unknown alias "${alias}"; known: ${aliasNames.join(", ") || "(none)"}`, suggestion: aliasNames[0] ?? "<alias>" });
    }
  };
  if (backends && aliases) {
    const backendNames = Object.keys(backends);
    for (const [alias, def] of Object.entries(aliases)) {
      array(object(def)?.targets).forEach((t, i) => {
        const backend = object(t)?.backend;
        if (typeof backend === "string" && !Object.hasOwn(backends, backend) && !alsoPresent.backend?.(backend)) {
          out.push({
            path: ["aliases", alias, "targets", i, "backend"],
            message: `unknown backend "${backend}"; known: ${backendNames.join(", ") || "(none)"}`,
            suggestion: backendNames[0] ?? "<backend>",
          });
        }
      });
    }
  }
  const names = new Set<string>();
  array(sections.apiKeys).forEach((k, i) => {
    const key = object(k);
    const name = key?.name;
    if (typeof name === "string") {
      if (names.has(name)) out.push({ path: ["apiKeys", i, "name"], message: `duplicate key name "${name}"`, suggestion: `${name}-2` });
      names.add(name);
    }
    array(key?.aliases).forEach((a, j) => unknownAlias(a, ["apiKeys", i, "aliases", j]));
  });
  for (const [family, alias] of Object.entries(object(sections.claudeModels) ?? {})) unknownAlias(alias, ["claudeModels", family]);
  return out;
}
