// /status.json (and, rendered by ops/status-html.ts, /status): what a person needs at a glance — aliases → targets → backend state,
// loaded models, in-flight requests, last probe, ejections, and the config's own health.
import type { RouterConfig } from "../config/schema.js";
import type { ConfigProblem } from "../config/schema.js";
import { admission } from "../backends/admission.js";
import type { BackendRegistry } from "../backends/registry.js";
import { declaredPresence, warmth } from "../backends/warmth.js";
import type { ModelState } from "../engines/types.js";
import type { RecentFigures } from "../telemetry/recent.js";

export interface ConfigInfo {
  version: number;
  loadedAt: number;
  source: string | undefined;
  /** The sha256 of the config file's bytes the table in force was read from (absent: not from a file). */
  sha256: string | undefined;
  /** The last reload that was rejected (the previous table kept serving). */
  rejected: { at: number; problems: ConfigProblem[] } | undefined;
}

export interface StatusSnapshot {
  now: string;
  draining: boolean;
  auth: "on" | "off";
  config: {
    version: number;
    loadedAt: string;
    source: string | null;
    sha256: string | null;
    rejected: { at: string; problems: ConfigProblem[]; problems_omitted: number } | null;
  };
  aliases: {
    name: string;
    description: string | null;
    last_5m: RecentFigures;
    targets: { backend: string; model: string; health: string; model_state: string; context_length: number | null }[];
  }[];
  backends: {
    name: string;
    engine: string;
    url: string;
    health: string;
    detail: string;
    version: string | null;
    in_flight: number;
    queued: number;
    max_concurrency: number | null;
    last_probe: string | null;
    ejected_until: string | null;
    ejections: number;
    busy_until: string | null;
    models: { name: string; installed: boolean; loaded: boolean; expires_at: string | null; context_length: number | null }[];
    /** Models past MAX_LIST, counted but not listed. */
    models_omitted: number;
    /** Models the config declares on this backend (`models`) that its last model list does not have. */
    declared_missing: string[];
    /** Requests, errors, p95 time to first token, generation speed, tokens and loads of the last five minutes. */
    last_5m: RecentFigures;
  }[];
}

/** The five-minute figures by alias and by backend (telemetry/recent.ts). */
export interface Recent {
  aliases: ReadonlyMap<string, RecentFigures>;
  backends: ReadonlyMap<string, RecentFigures>;
}

const QUIET: RecentFigures = { requests: 0, errors: 0, p95_ttft_s: null, tokens_per_s: null, completion_tokens: 0, loads: 0 };

// What a backend reports is shown within these bounds, on /status and /status.json alike, so a
// backend cannot make the page megabytes long (test/router/ops/status-hostile.test.ts).
const MAX_TEXT = 200;
const MAX_LIST = 100;

/** A string a backend or a probe supplied, bounded; anything else becomes its string form. */
function clip(v: unknown): string {
  const s = typeof v === "string" ? v : String(v);
  return s.length <= MAX_TEXT ? s : `${s.slice(0, MAX_TEXT)}… (${s.length - MAX_TEXT} more characters)`;
}

const iso = (t: number | undefined): string | null => (t === undefined || !Number.isFinite(t) || t <= 0 || t > 8.64e15 ? null : new Date(t).toISOString());

export function statusSnapshot(
  cfg: RouterConfig,
  registry: BackendRegistry,
  info: ConfigInfo,
  draining: boolean,
  now: number,
  recent?: Recent,
): StatusSnapshot {
  return {
    now: new Date(now).toISOString(),
    draining,
    auth: cfg.apiKeys.length > 0 ? "on" : "off",
    config: {
      version: info.version,
      loadedAt: new Date(info.loadedAt).toISOString(),
      source: info.source ?? null,
      sha256: info.sha256 ?? null,
      rejected: info.rejected
        ? {
            at: new Date(info.rejected.at).toISOString(),
            problems: info.rejected.problems.slice(0, MAX_LIST).map((p) => ({ path: clip(p.path), message: clip(p.message) })),
            problems_omitted: Math.max(0, info.rejected.problems.length - MAX_LIST),
          }
        : null,
    },
    aliases: Object.entries(cfg.aliases).map(([name, a]) => ({
      name,
      description: a.description ?? null,
      last_5m: recent?.aliases.get(name) ?? QUIET,
      targets: a.targets.map((t) => {
        const b = registry.get(t.backend);
        return {
          backend: t.backend,
          model: t.model,
          health: b?.health ?? "unknown",
          model_state: warmth(b, t.model, cfg),
          context_length: b?.contextLength(t.model, t.contextLength) ?? null,
        };
      }),
    })),
    backends: registry.all().map((b) => ({
      name: b.name,
      engine: b.config.engine,
      url: b.config.url,
      health: b.health,
      detail: clip(b.detail),
      version: b.version === undefined ? null : clip(b.version),
      in_flight: b.inFlight,
      queued: b.slots.queued,
      max_concurrency: b.config.maxConcurrency ?? null,
      last_probe: iso(b.lastProbeAt),
      ejected_until: admission(b.passive, now) === "open" ? null : iso(b.passive.ejectedUntil),
      ejections: b.ejections,
      busy_until: b.passive.busyUntil > now ? iso(b.passive.busyUntil) : null,
      models: distinctModels(b.models)
        .slice(0, MAX_LIST)
        .map(([name, m]) => ({
          name: clip(name),
          installed: m.installed,
          loaded: m.loaded,
          expires_at: iso(m.expiresAt),
          context_length: m.contextLength ?? null,
        })),
      models_omitted: Math.max(0, distinctModels(b.models).length - MAX_LIST),
      declared_missing: declaredPresence(b)
        .filter(([, p]) => p === "missing")
        .slice(0, MAX_LIST)
        .map(([m]) => clip(m)),
      last_5m: recent?.backends.get(b.name) ?? QUIET,
    })),
  };
}

/**
 * Each model once: an engine adapter may file one state under two names (Ollama's `tiny:latest` and
 * the config's `tiny`), so lookups by either name work; a person reading the page wants one line.
 */
function distinctModels(models: Map<string, ModelState> | undefined): [string, ModelState][] {
  const seen = new Set<ModelState>();
  const out: [string, ModelState][] = [];
  for (const entry of models ?? []) {
    if (seen.has(entry[1])) continue;
    seen.add(entry[1]);
    out.push(entry);
  }
  return out;
}
