// Compares two captures of one stack: alias changes, resources added / removed / changed with the
// inputs that moved, and which changes replace a resource. Pure.
import { groupOf } from "./hosts.js";
import { isDisruptive, replacingInputs } from "./replace.js";
import { isSecretValue, type AliasTarget, type Capture, type CapturedResource, type Json } from "./types.js";

interface AliasChange {
  alias: string;
  /** Absent: the alias is new. */
  before?: AliasTarget[];
  /** Absent: the alias was removed. */
  after?: AliasTarget[];
}

export interface ResourceChange {
  type: string;
  name: string;
  group: string;
  kind: "added" | "removed" | "changed";
  /** Input paths that differ (changed only). */
  changed: string[];
  /** Of those, the ones that force replacement. */
  replacing: string[];
  /** For env lists: names added (+), removed (-) or changed. */
  envNames: string[];
}

export interface PlanDiff {
  newStack: boolean;
  aliases: AliasChange[];
  resources: ResourceChange[];
  /** Stack outputs whose value changed. */
  outputs: string[];
}

const key = (r: CapturedResource): string => `${r.type}::${r.name}`;
const canon = (v: Json | undefined): string => JSON.stringify(v ?? null);

function isPlainObject(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isSecretValue(v);
}

/** Paths (up to `depth` object levels) where two values differ, sorted. */
function changedPaths(a: Json | undefined, b: Json | undefined, prefix = "", depth = 2): string[] {
  if (canon(a) === canon(b)) return [];
  if (depth > 0 && isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k, depth - 1));
  }
  return [prefix];
}

function envMap(v: Json | undefined): Map<string, string> {
  const m = new Map<string, string>();
  if (Array.isArray(v)) {
    for (const e of v) {
      if (typeof e !== "string") continue;
      const i = e.indexOf("=");
      if (i > 0) m.set(e.slice(0, i), e.slice(i + 1));
    }
  }
  return m;
}

/** Names of env entries that differ: `+NAME` added, `-NAME` removed, `NAME` changed. */
function envChanges(a: Json | undefined, b: Json | undefined): string[] {
  const before = envMap(a);
  const after = envMap(b);
  const out: string[] = [];
  for (const name of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const x = before.get(name);
    const y = after.get(name);
    if (x === undefined) out.push(`+${name}`);
    else if (y === undefined) out.push(`-${name}`);
    else if (x !== y) out.push(name);
  }
  return out;
}

/** The alias table a reviewer reads: the first router host's (all hosts share the table). */
export function aliasTableOf(capture: Capture): Record<string, AliasTarget[]> {
  const host = Object.keys(capture.aliases).sort()[0];
  return host === undefined ? {} : (capture.aliases[host] ?? {});
}

function diffAliases(base: Capture, head: Capture): AliasChange[] {
  const a = aliasTableOf(base);
  const b = aliasTableOf(head);
  const out: AliasChange[] = [];
  for (const alias of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const before = a[alias];
    const after = b[alias];
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    out.push({ alias, ...(before ? { before } : {}), ...(after ? { after } : {}) });
  }
  return out;
}

export function diffCaptures(base: Capture, head: Capture): PlanDiff {
  const before = new Map(base.resources.map((r) => [key(r), r]));
  const after = new Map(head.resources.map((r) => [key(r), r]));
  const resources: ResourceChange[] = [];
  const movedProviders = providersWithNewInputs(base, head);
  for (const k of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const a = before.get(k);
    const b = after.get(k);
    if (!a && b) resources.push({ type: b.type, name: b.name, group: groupOf(head, b), kind: "added", changed: [], replacing: [], envNames: [] });
    else if (a && !b) resources.push({ type: a.type, name: a.name, group: groupOf(base, a), kind: "removed", changed: [], replacing: [], envNames: [] });
    else if (a && b) {
      const changed = changedPaths(a.inputs, b.inputs);
      // A resource that moves to another provider (another host), or whose provider now points
      // somewhere else (a new Docker host address), is created again there.
      const providerMoved = (a.provider ?? "") !== (b.provider ?? "") || (b.provider !== undefined && movedProviders.has(b.provider));
      if (changed.length === 0 && !providerMoved) continue;
      const all = providerMoved ? [...changed, "provider"] : changed;
      resources.push({
        type: b.type,
        name: b.name,
        group: groupOf(head, b),
        kind: "changed",
        changed: all,
        replacing: providerMoved ? [...replacingInputs(b.type, changed), "provider"] : replacingInputs(b.type, changed),
        envNames: changed.includes("envs") ? envChanges(a.inputs.envs, b.inputs.envs) : [],
      });
    }
  }
  const outputs = [...new Set([...Object.keys(base.outputs), ...Object.keys(head.outputs)])]
    .sort()
    .filter((k) => canon(base.outputs[k]) !== canon(head.outputs[k]));
  return { newStack: base.absent, aliases: diffAliases(base, head), resources, outputs };
}

/**
 * Providers whose own inputs changed (e.g. a Docker provider's `host`): what they manage is acted on
 * somewhere else now, so the plan counts it as replaced rather than hide a move behind one line.
 */
function providersWithNewInputs(base: Capture, head: Capture): Set<string> {
  const before = new Map(base.resources.filter(isProvider).map((r) => [r.name, r]));
  const out = new Set<string>();
  for (const r of head.resources.filter(isProvider)) {
    const was = before.get(r.name);
    if (was && was.type === r.type && canon(was.inputs) !== canon(r.inputs)) out.add(r.name);
  }
  return out;
}

const isProvider = (r: CapturedResource): boolean => r.type.startsWith("pulumi:providers:");

export function hasChanges(d: PlanDiff): boolean {
  return d.newStack || d.aliases.length > 0 || d.resources.length > 0 || d.outputs.length > 0;
}

/** Changed resources that would be replaced, the disruptive ones (containers, volumes) first. */
export function replacements(d: PlanDiff): ResourceChange[] {
  return d.resources.filter((r) => r.kind === "changed" && r.replacing.length > 0);
}

export function disruptiveReplacements(d: PlanDiff): ResourceChange[] {
  return replacements(d).filter((r) => isDisruptive(r.type));
}
