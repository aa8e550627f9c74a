// /status.json and /status: what a person needs at a glance — aliases → targets → backend state,
// loaded models, in-flight requests, last probe, ejections, and the config's own health.
import type { RouterConfig } from "../config/schema.js";
import type { ConfigProblem } from "../config/schema.js";
import { admission } from "../backends/admission.js";
import type { BackendRegistry } from "../backends/registry.js";
import { warmth } from "../backends/warmth.js";
import type { ModelState } from "../engines/types.js";

export interface ConfigInfo {
  version: number;
  loadedAt: number;
  source: string | undefined;
  /** The last reload that was rejected (the previous table kept serving). */
  rejected: { at: number; problems: ConfigProblem[] } | undefined;
}

export interface StatusSnapshot {
  now: string;
  draining: boolean;
  auth: "on" | "off";
  config: { version: number; loadedAt: string; source: string | null; rejected: { at: string; problems: ConfigProblem[] } | null };
  aliases: { name: string; description: string | null; targets: { backend: string; model: string; health: string; model_state: string; context_length: number | null }[] }[];
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
  }[];
}

const iso = (t: number | undefined): string | null => (t === undefined || t <= 0 ? null : new Date(t).toISOString());

export function statusSnapshot(cfg: RouterConfig, registry: BackendRegistry, info: ConfigInfo, draining: boolean, now: number): StatusSnapshot {
  return {
    now: new Date(now).toISOString(),
    draining,
    auth: cfg.apiKeys.length > 0 ? "on" : "off",
    config: {
      version: info.version,
      loadedAt: new Date(info.loadedAt).toISOString(),
      source: info.source ?? null,
      rejected: info.rejected ? { at: new Date(info.rejected.at).toISOString(), problems: info.rejected.problems } : null,
    },
    aliases: Object.entries(cfg.aliases).map(([name, a]) => ({
      name,
      description: a.description ?? null,
      targets: a.targets.map((t) => {
        const b = registry.get(t.backend);
        return { backend: t.backend, model: t.model, health: b?.health ?? "unknown", model_state: warmth(b, t.model, cfg), context_length: b?.contextLength(t.model, t.contextLength) ?? null };
      }),
    })),
    backends: registry.all().map((b) => ({
      name: b.name,
      engine: b.config.engine,
      url: b.config.url,
      health: b.health,
      detail: b.detail,
      version: b.version ?? null,
      in_flight: b.inFlight,
      queued: b.slots.queued,
      max_concurrency: b.config.maxConcurrency ?? null,
      last_probe: iso(b.lastProbeAt),
      ejected_until: admission(b.passive, now) === "open" ? null : iso(b.passive.ejectedUntil),
      ejections: b.ejections,
      busy_until: b.passive.busyUntil > now ? iso(b.passive.busyUntil) : null,
      models: distinctModels(b.models).map(([name, m]) => ({
        name,
        installed: m.installed,
        loaded: m.loaded,
        expires_at: iso(m.expiresAt),
        context_length: m.contextLength ?? null,
      })),
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

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const GREY = "#757575";
/** Backend health and model state share one scale: green serves now, amber waits, red cannot. */
const colour = new Map<string, string>([
  ["up", "#2e7d32"],
  ["loaded", "#2e7d32"],
  ["warming", "#f9a825"],
  ["cold", "#f9a825"],
  ["down", "#c62828"],
  ["missing", "#c62828"],
  ["misconfigured", "#6a1b9a"],
  ["unknown", GREY],
]);

function badge(state: string): string {
  return `<span class="b" style="background:${colour.get(state) ?? GREY}">${esc(state)}</span>`;
}

export function renderStatusHtml(s: StatusSnapshot): string {
  const rows = s.aliases
    .map((a) =>
      a.targets
        .map(
          (t, i) =>
            `<tr>${i === 0 ? `<td rowspan="${a.targets.length}"><b>${esc(a.name)}</b>${a.description ? `<br><small>${esc(a.description)}</small>` : ""}</td>` : ""}` +
            `<td>${i + 1}. ${esc(t.backend)}</td><td>${esc(t.model)}</td><td>${badge(t.health)}</td><td>${badge(t.model_state)}</td><td>${t.context_length ?? "?"}</td></tr>`,
        )
        .join(""),
    )
    .join("");
  const backends = s.backends
    .map(
      (b) =>
        `<tr><td><b>${esc(b.name)}</b><br><small>${esc(b.engine)} ${esc(b.url)}${b.version ? ` v${esc(b.version)}` : ""}</small></td>` +
        `<td>${badge(b.health)}<br><small>${esc(b.detail)}</small></td>` +
        `<td>${b.in_flight}${b.max_concurrency !== null ? ` / ${b.max_concurrency}` : ""}${b.queued > 0 ? ` (+${b.queued} queued)` : ""}</td>` +
        `<td>${esc(b.models.filter((m) => m.loaded).map((m) => m.name + (m.expires_at ? ` until ${m.expires_at.slice(11, 19)}` : "")).join(", ") || "—")}</td>` +
        `<td>${b.last_probe ? esc(b.last_probe.slice(11, 19)) : "never"}</td>` +
        `<td>${b.ejections}${b.ejected_until ? ` (ejected until ${esc(b.ejected_until.slice(11, 19))})` : ""}${b.busy_until ? " busy" : ""}</td></tr>`,
    )
    .join("");
  const rejected = s.config.rejected
    ? `<p class="warn">Config reload rejected at ${esc(s.config.rejected.at)}; the previous table is still serving:<br>${s.config.rejected.problems.map((p) => `${esc(p.path)}: ${esc(p.message)}`).join("<br>")}</p>`
    : "";
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>aistack router</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse;margin-bottom:1.5em}td,th{border-bottom:1px solid #ddd;padding:.3em .7em;text-align:left;vertical-align:top}.b{color:#fff;border-radius:3px;padding:0 .4em}.warn{background:#fff3e0;padding:.5em}</style></head><body>
<h1>aistack router</h1>
<p>config v${s.config.version} loaded ${esc(s.config.loadedAt)}${s.config.source ? ` from ${esc(s.config.source)}` : ""} · auth ${s.auth === "on" ? "on" : "<b>OFF</b>"}${s.draining ? " · <b>draining</b>" : ""} · ${esc(s.now)}</p>
${rejected}
<h2>Aliases</h2><table><tr><th>alias</th><th>backend</th><th>model</th><th>health</th><th>model state</th><th>context</th></tr>${rows}</table>
<h2>Backends</h2><table><tr><th>backend</th><th>health</th><th>in flight</th><th>loaded models</th><th>last probe</th><th>ejections</th></tr>${backends}</table>
<p><a href="/status.json">status.json</a> · <a href="/metrics">metrics</a></p></body></html>`;
}
