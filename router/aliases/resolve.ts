// Where a client's model name goes: the one place that turns it into an alias of the table, with one
// scope rule and one "unknown model" answer for every face.
//
// A name resolves to the first of these that is an alias the key may use: the name as sent (so an
// alias may itself be called claude-... or carry a tag), then what the client's face maps it to (the
// Anthropic face: a claude-* family through `claudeModels`; the Ollama face: `coder:latest` → `coder`).
//
// An alias outside the key's scope does not exist for it: every listing leaves it out, and asking for
// it gets exactly the answer an unknown name gets (404, the same message), so a key cannot learn, or
// probe for, the names of other aliases. Only the log line says the alias was out of scope.
import { mayUse, type KeyEntry } from "../auth/keys.js";
import type { AliasConfig, RouterConfig } from "../config/schema.js";
import { unknownModel, type RouterError } from "../errors.js";

/** A face's reading of a model name in its dialect: the alias it stands for, or undefined. */
export type NameMapper = (model: string, config: RouterConfig) => string | undefined;

export type Resolution =
  | { ok: true; alias: string; aliasConfig: AliasConfig }
  | {
      ok: false;
      error: RouterError;
      /** The alias the name would have reached, when it exists but is outside the key's scope. */
      outside: string | undefined;
      /** What the log says (the client only gets `error`). */
      logMessage: string;
    };

/** Whether `name` is an alias of the table that `key` may use (own keys only: no `__proto__` tricks). */
function visible(config: RouterConfig, key: KeyEntry | undefined, name: string): boolean {
  return Object.hasOwn(config.aliases, name) && mayUse(key, name);
}

/** The aliases `key` may use, in the table's order. */
function visibleAliases(config: RouterConfig, key: KeyEntry | undefined): string[] {
  return Object.keys(config.aliases).filter((name) => mayUse(key, name));
}

/** The name as sent, then the face's mapping of it: the names a request may mean, in order. */
function candidateNames(model: string, config: RouterConfig, map: NameMapper | undefined): string[] {
  const mapped = map?.(model, config);
  return mapped === undefined || mapped === model ? [model] : [model, mapped];
}

export function resolveModel(model: string, config: RouterConfig, key: KeyEntry | undefined, map: NameMapper | undefined): Resolution {
  const names = candidateNames(model, config, map);
  const alias = names.find((n) => visible(config, key, n));
  const aliasConfig = alias === undefined ? undefined : config.aliases[alias];
  if (alias !== undefined && aliasConfig !== undefined) return { ok: true, alias, aliasConfig };
  const error = unknownModel(model, visibleAliases(config, key));
  const outside = names.find((n) => Object.hasOwn(config.aliases, n));
  if (outside === undefined) return { ok: false, error, outside, logMessage: error.message };
  return { ok: false, error, outside, logMessage: `alias "${outside}" is outside the scope of key "${key?.name ?? ""}"` };
}
