// What a key sees of the alias table: only the aliases it may use. An alias outside its scope does not
// exist for it: every listing leaves it out, and asking for it gets exactly the answer an unknown name
// gets (404, the same message), so a key cannot learn, or probe for, the names of other aliases.
import type { RouterConfig } from "../config/schema.js";
import { mayUse, type KeyEntry } from "./keys.js";

/** Whether `name` is an alias of the table that `key` may use (own keys only: no `__proto__` tricks). */
export function visible(config: RouterConfig, key: KeyEntry | undefined, name: string): boolean {
  return Object.hasOwn(config.aliases, name) && mayUse(key, name);
}

/** The aliases `key` may use, in the table's order. */
export function visibleAliases(config: RouterConfig, key: KeyEntry | undefined): string[] {
  return Object.keys(config.aliases).filter((name) => mayUse(key, name));
}
