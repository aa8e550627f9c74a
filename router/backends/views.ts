// The alias table as clients see it in model lists (OpenAI /v1/models, Ollama /api/tags, /api/ps,
// /api/show): only the aliases the caller may use, with what the registry knows of their targets.
import type { RouterConfig } from "../config/schema.js";
import type { AliasView } from "../faces/types.js";
import type { BackendRegistry } from "../health/state.js";

export function aliasViews(config: RouterConfig, registry: BackendRegistry, may: (alias: string) => boolean): AliasView[] {
  const out: AliasView[] = [];
  for (const [name, a] of Object.entries(config.aliases)) {
    if (!may(name)) continue;
    let ctx: number | undefined;
    let available = false;
    let loaded = false;
    for (const t of a.targets) {
      const b = registry.get(t.backend);
      if (!b) continue;
      if (b.health === "up" || b.health === "unknown" || b.health === "warming") available = true;
      const m = b.model(t.model);
      if (b.health === "up" && m?.installed && (m.loaded || b.adapter.servedMeansLoaded)) loaded = true;
      const c = b.contextLength(t.model, t.contextLength);
      // Any target may serve a request: advertise the smallest known context.
      if (c !== undefined) ctx = ctx === undefined ? c : Math.min(ctx, c);
    }
    out.push({ name, description: a.description, contextLength: ctx, available, loaded });
  }
  return out;
}
