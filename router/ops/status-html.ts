// /status: the snapshot of ops/status.ts as a page a person reads at a glance. Every value goes
// through the `html` template (ops/html.ts), which escapes it whatever its type.
import { html, join, type Html } from "./html.js";
import type { StatusSnapshot } from "./status.js";
import type { RecentFigures } from "../telemetry/recent.js";

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

function badge(state: string): Html {
  return html`<span class="b" style="background:${colour.get(state) ?? GREY}">${state}</span>`;
}

const clock = (iso: string | null): string | null => (iso === null ? null : iso.slice(11, 19));

function aliasRows(s: StatusSnapshot): Html[] {
  return s.aliases.flatMap((a) =>
    a.targets.map((t, i) => {
      const head =
        i === 0 ? html`<td rowspan="${a.targets.length}"><b>${a.name}</b>${a.description ? html`<br><small>${a.description}</small>` : ""}</td>` : "";
      return html`<tr>${head}<td>${i + 1}. ${t.backend}</td><td>${t.model}</td><td>${badge(t.health)}</td><td>${badge(t.model_state)}</td><td>${t.context_length ?? "?"}</td></tr>`;
    }),
  );
}

function backendRows(s: StatusSnapshot): Html[] {
  return s.backends.map((b) => {
    const loaded = b.models.filter((m) => m.loaded).map((m) => m.name + (m.expires_at ? ` until ${clock(m.expires_at)}` : ""));
    const more = b.models_omitted > 0 ? ` (+${b.models_omitted} more models)` : "";
    return html`<tr><td><b>${b.name}</b><br><small>${b.engine} ${b.url}${b.version ? html` v${b.version}` : ""}</small></td>
<td>${badge(b.health)}<br><small>${b.detail}</small>${b.declared_missing.length ? html`<br>${badge("missing")} <small>declared, not on the engine: ${b.declared_missing.join(", ")}</small>` : ""}</td>
<td>${b.in_flight}${b.max_concurrency !== null ? html` / ${b.max_concurrency}` : ""}${b.queued > 0 ? html` (+${b.queued} queued)` : ""}</td>
<td>${(loaded.join(", ") || "—") + more}</td>
<td>${clock(b.last_probe) ?? "never"}</td>
<td>${b.ejections}${b.ejected_until ? html` (ejected until ${clock(b.ejected_until)})` : ""}${b.busy_until ? " busy" : ""}</td></tr>`;
  });
}

const secs = (s: number | null): string => (s === null ? "—" : s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(2)} s`);

function recentRow(name: Html, f: RecentFigures): Html {
  const errors = f.errors > 0 ? html`<b style="color:#c62828">${f.errors}</b>` : html`0`;
  return html`<tr><td>${name}</td><td>${f.requests}</td><td>${errors}</td><td>${secs(f.p95_ttft_s)}</td><td>${f.tokens_per_s ?? "—"}</td><td>${f.completion_tokens}</td><td>${f.loads}</td></tr>`;
}

function recentRows(s: StatusSnapshot): Html[] {
  return [
    ...s.aliases.map((a) => recentRow(html`alias <b>${a.name}</b>`, a.last_5m)),
    ...s.backends.map((b) => recentRow(html`backend <b>${b.name}</b>`, b.last_5m)),
  ];
}

export function renderStatusHtml(s: StatusSnapshot): string {
  const r = s.config.rejected;
  const rejected = r
    ? html`<p class="warn">Config reload rejected at ${r.at}; the previous table is still serving:<br>${join(
        r.problems.map((p) => html`${p.path}: ${p.message}`),
        html`<br>`,
      )}${r.problems_omitted > 0 ? html`<br>(+${r.problems_omitted} more)` : ""}</p>`
    : "";
  const page = html`<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>aistack router</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse;margin-bottom:1.5em}td,th{border-bottom:1px solid #ddd;padding:.3em .7em;text-align:left;vertical-align:top}.b{color:#fff;border-radius:3px;padding:0 .4em}.warn{background:#fff3e0;padding:.5em}</style></head><body>
<h1>aistack router</h1>
<p>config v${s.config.version} loaded ${s.config.loadedAt}${s.config.source ? html` from ${s.config.source}` : ""} · auth ${s.auth === "on" ? "on" : html`<b>OFF</b>`}${s.draining ? html` · <b>draining</b>` : ""} · ${s.now}</p>
${rejected}
<h2>Aliases</h2><table><tr><th>alias</th><th>backend</th><th>model</th><th>health</th><th>model state</th><th>context</th></tr>${aliasRows(s)}</table>
<h2>Backends</h2><table><tr><th>backend</th><th>health</th><th>in flight</th><th>loaded models</th><th>last probe</th><th>ejections</th></tr>${backendRows(s)}</table>
<h2>Last five minutes</h2><table><tr><th></th><th>requests</th><th>errors</th><th>p95 time to first token</th><th>tokens/s</th><th>completion tokens</th><th>loads</th></tr>${recentRows(s)}</table>
<p><a href="/status.json">status.json</a> · <a href="/metrics">metrics</a></p></body></html>`;
  return page.text;
}
