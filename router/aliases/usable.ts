// "Is this alias usable?", one answer for /readyz and the state-change log (health/changes.ts): a
// target is usable when its backend is up, not ejected by the passive tracker, and does not miss the
// model (a model list not known yet does not count against it).
import type { AliasConfig } from "../config/schema.js";
import { admission } from "../backends/admission.js";
import type { Backend, BackendRegistry } from "../backends/registry.js";
import { presence } from "../backends/warmth.js";

function targetUsable(b: Backend | undefined, model: string, now: number): boolean {
  return b !== undefined && b.health === "up" && admission(b.passive, now) !== "ejected" && presence(b, model) !== "missing";
}

/** The first usable target of an alias, or undefined when it has none. */
export function usableTarget(alias: AliasConfig, registry: BackendRegistry, now: number): AliasConfig["targets"][number] | undefined {
  return alias.targets.find((t) => targetUsable(registry.get(t.backend), t.model, now));
}
