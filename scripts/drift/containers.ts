// Pure: one declared container against what runs under its name. The command that brings an attribute
// back removes the container and lets `pulumi up --refresh` create it as declared: a refresh does not
// read env values, volumes or GPU requests at all, and a container re-created by hand has a new id, so
// the state's container is gone and `pulumi up` alone would create one under a name that is taken
// (docs/drift.md, "Why the fixes read as they do").
import type { DesiredContainer, EnvValue, Finding, LiveContainer, Mount, Port } from "./types.js";

export interface Fixes {
  up: string;
  /** `pulumi up --replace <urn>`. */
  replace: (urn: string) => string;
  docker: (...args: string[]) => string;
}

const shortId = (id: string): string => (id.startsWith("sha256:") ? id.slice(0, 19) : id);
const portText = (ps: Port[]): string => ps.map((p) => `${p.external}->${p.internal}`).join(", ") || "none";
const mountText = (m: Mount): string => `${m.type} ${m.source} -> ${m.target}${m.readOnly ? " (ro)" : ""}`;
const listText = (xs: readonly string[] | undefined): string => (xs && xs.length ? JSON.stringify(xs) : "(image default)");

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A secret is named, never shown: not its value, not its digest. */
function envText(name: string, v: EnvValue | undefined): string {
  if (!v) return `${name} unset`;
  return v.value === undefined ? `${name}=(secret)` : `${name}=${v.value}`;
}

function envFindings(d: DesiredContainer, l: LiveContainer, base: Omit<Finding, "kind" | "stack" | "live">): Finding[] {
  const out: Finding[] = [];
  for (const [name, want] of Object.entries(d.env)) {
    const got = l.env[name];
    if (got?.sha256 === want.sha256) continue;
    const secret = want.value === undefined || (got !== undefined && got.value === undefined);
    const live = !got ? `${name} unset` : secret ? `${name} differs (secret; value not shown)` : envText(name, got);
    out.push({ ...base, kind: "env", stack: envText(name, want), live });
  }
  // Variables the image sets (PATH, versions, ...) come with every container of it; with the image
  // unknown, which variables were set by hand cannot be told.
  const imageEnv = l.imageEnv;
  if (!imageEnv) return out;
  for (const [name, got] of Object.entries(l.env).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (d.env[name] || imageEnv[name] === got.sha256) continue;
    out.push({ ...base, kind: "env", stack: `${name} not set`, live: got.value === undefined ? `${name}=(secret; value not shown)` : envText(name, got) });
  }
  return out;
}

export function compareContainer(host: string, d: DesiredContainer, l: LiveContainer | undefined, pinnedId: string | undefined, fix: Fixes): Finding[] {
  if (!l) return [{ host, subject: d.name, kind: "container-missing", stack: `runs ${d.image}`, live: "no such container", fix: fix.up }];
  const base = { host, subject: d.name, fix: `${fix.docker("rm", "-f", d.name)} && ${fix.up}` };
  const out: Finding[] = [];
  if (l.status !== "running")
    out.push({ ...base, kind: "container-stopped", stack: "running", live: l.status || "unknown state", fix: fix.docker("start", d.name) });
  if (pinnedId === undefined) {
    out.push({ ...base, kind: "image", stack: `${d.image} (not on the host)`, live: `runs ${l.imageRef} ${shortId(l.imageId)}` });
  } else if (pinnedId !== l.imageId) {
    const ref = l.imageRef && !l.imageRef.startsWith("sha256:") && l.imageRef !== d.image ? `${l.imageRef} ` : "";
    // The reference may name another image on the host than the registry does (re-tagged by hand): a
    // re-created container takes what the host's tag names, so the registry's image is pulled first
    // (test/scripts/drift/compare.test.ts, "an image re-tagged under the pinned name").
    const again = d.built ? base.fix : `${fix.docker("pull", d.image)} && ${base.fix}`;
    out.push({ ...base, kind: "image", stack: `${d.image} = ${shortId(pinnedId)}`, live: `runs ${ref}${shortId(l.imageId)}`, fix: again });
  }
  if (d.command && !sameList(d.command, l.command))
    out.push({ ...base, kind: "command", stack: `command ${listText(d.command)}`, live: `command ${listText(l.command)}` });
  if (d.entrypoint && !sameList(d.entrypoint, l.entrypoint)) {
    out.push({ ...base, kind: "command", stack: `entrypoint ${listText(d.entrypoint)}`, live: `entrypoint ${listText(l.entrypoint)}` });
  }
  out.push(...envFindings(d, l, base));
  const wantPorts = [...d.ports].sort((a, b) => a.internal - b.internal || a.external - b.external);
  if (portText(wantPorts) !== portText(l.ports)) out.push({ ...base, kind: "ports", stack: portText(wantPorts), live: portText(l.ports) });
  const wantMounts = d.mounts.map(mountText).sort();
  const gotMounts = l.mounts.map(mountText).sort();
  if (!sameList(wantMounts, gotMounts)) out.push({ ...base, kind: "mounts", stack: wantMounts.join("; ") || "none", live: gotMounts.join("; ") || "none" });
  if (d.restart !== l.restart) out.push({ ...base, kind: "restart-policy", stack: d.restart, live: l.restart || "no" });
  if ((d.gpus ?? "") !== (l.gpus ?? "")) out.push({ ...base, kind: "gpus", stack: d.gpus ?? "no GPUs", live: l.gpus ?? "no GPUs" });
  return out;
}
