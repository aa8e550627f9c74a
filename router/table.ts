// One immutable routing table: the validated config and the API keys compiled from it. A reload swaps
// the whole object (server.ts); a request in flight keeps the table it started with.
import { compileKeys, type KeyEntry } from "./auth/keys.js";
import type { RouterConfig } from "./config/schema.js";

export interface Table {
  config: RouterConfig;
  keys: KeyEntry[];
}

export function tableOf(config: RouterConfig): Table {
  return { config, keys: compileKeys(config.apiKeys) };
}
