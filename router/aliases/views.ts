// The aliases as a face's model list shows them (GET /v1/models, /api/tags...): whether one target
// holds its model warm, and the context every target can take. (Whether an alias can be served at all
// is aliases/usable.ts.)
import type { RouterConfig } from "../config/schema.js";
import type { BackendRegistry } from "../backends/registry.js";
import { warmth } from "../backends/warmth.js";

/** One alias as a model list shows it. */
export interface AliasView {
  name: string;
  description: string | undefined;
  contextLength: number | undefined;
  /** Whether some target has the model in memory (or serves it always). */
  loaded: boolean;
}

/** The aliases `may` allows (the caller's key scope), in the table's order. */
export function aliasViews(config: RouterConfig, registry: BackendRegistry, may: (alias: string) => boolean): AliasView[] {
  const out: AliasView[] = [];
  for (const [name, a] of Object.entries(config.aliases)) {
    if (!may(name)) continue;
    let ctx: number | undefined;
    let loaded = false;
    for (const t of a.targets) {
      const b = registry.get(t.backend);
      if (!b) continue;
      if (b.health === "up" && warmth(b, t.model, config) === "loaded") loaded = true;
      const c = b.contextLength(t.model, t.contextLength);
      // Any target may serve a request: advertise the smallest known context.
      if (c !== undefined) ctx = ctx === undefined ? c : Math.min(ctx, c);
    }
    out.push({ name, description: a.description, contextLength: ctx, loaded });
  }
  return out;
}
