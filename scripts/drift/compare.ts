// Pure: (desired, live) → findings. Each says what the stack says, what runs, and the command that
// brings it back. A secret's value is never in a finding: env values of secrets are compared by digest.
import { ollamaName } from "../../router/engines/ollama.js";
import { shellJoin } from "../../infra/specs/shell.js";
import { compareContainer, type Fixes } from "./containers.js";
import type { DesiredHost, DesiredState, Finding, LiveHost } from "./types.js";

const short = (sha: string): string => `sha256:${sha.replace(/^sha256:/, "").slice(0, 12)}`;

function fixesFor(stack: string, host: DesiredHost): Fixes {
  const docker = (...args: string[]): string => shellJoin(["docker", "-H", host.docker, ...args]);
  return {
    up: `pulumi up -s ${stack} --refresh`,
    replace: (urn) => `pulumi up -s ${stack} --refresh --replace ${shellJoin([urn])}`,
    docker,
  };
}

function compareModels(d: DesiredHost, live: LiveHost, fix: Fixes): Finding[] {
  const out: Finding[] = [];
  for (const o of d.ollama) {
    const read = live.models[o.container];
    if (!read) continue;
    if (!read.ok) {
      out.push({
        kind: "engine-unreachable",
        host: d.name,
        subject: o.backend,
        stack: `Ollama answers ${o.url}/api/tags`,
        live: read.error,
        fix: fix.docker("logs", "--tail", "50", o.container),
      });
      continue;
    }
    const has = new Set(read.value.map(ollamaName));
    const declared = new Set(o.models.map(ollamaName));
    for (const m of o.models) {
      if (!has.has(ollamaName(m)))
        out.push({
          kind: "model-missing",
          host: d.name,
          subject: o.backend,
          stack: `model ${m}`,
          live: "not on the engine",
          fix: fix.docker("exec", o.container, "ollama", "pull", m),
        });
    }
    for (const m of [...new Set(read.value.map(ollamaName))].sort()) {
      if (!declared.has(m))
        out.push({
          kind: "model-extra",
          host: d.name,
          subject: o.backend,
          stack: "not declared",
          live: `model ${m}`,
          fix: fix.docker("exec", o.container, "ollama", "rm", m),
        });
    }
  }
  for (const s of d.served) {
    const read = live.models[s.container];
    if (!read) continue;
    if (!read.ok) {
      out.push({
        kind: "engine-unreachable",
        host: d.name,
        subject: s.backend,
        stack: `${s.engine} answers ${s.url}/v1/models`,
        live: read.error,
        fix: fix.docker("logs", "--tail", "50", s.container),
      });
      continue;
    }
    const missing = s.models.filter((m) => !read.value.includes(m));
    if (missing.length) {
      out.push({
        kind: "served-model",
        host: d.name,
        subject: s.backend,
        stack: `serves ${s.models.join(", ")}`,
        live: `serves ${read.value.join(", ") || "nothing"}`,
        fix: `${fix.docker("rm", "-f", s.container)} && ${fix.up}`,
      });
    }
  }
  return out;
}

function compareRouters(d: DesiredHost, live: LiveHost, fix: Fixes): Finding[] {
  const out: Finding[] = [];
  for (const r of d.routers) {
    const l = live.routers[r.container];
    if (!l) continue;
    const want = `${r.file} ${short(r.sha256)}`;
    const base = { kind: "router-config" as const, host: d.name, subject: r.container, stack: want };
    // The file is written by a command resource, which a refresh never reads again: only a replace rewrites it.
    const rewrite = fix.replace(r.urn);
    if (!l.file.ok)
      out.push({ ...base, kind: "engine-unreachable", live: `could not read ${r.file}: ${l.file.error}`, fix: `check that the SSH user can read ${r.file}` });
    else if (l.file.value === null) out.push({ ...base, live: "no config file on the host", fix: rewrite });
    else if (l.file.value !== r.sha256) out.push({ ...base, live: `the file on the host is ${short(l.file.value)}`, fix: rewrite });
    if (!l.status) continue;
    if (!l.status.ok) {
      out.push({
        ...base,
        kind: "engine-unreachable",
        stack: `the router answers ${r.url}/status.json`,
        live: l.status.error,
        fix: fix.docker("logs", "--tail", "50", r.container),
      });
      continue;
    }
    const s = l.status.value;
    if (s.sha256 !== undefined && s.sha256 !== r.sha256) {
      out.push({
        ...base,
        live: `the router serves config v${s.version} ${short(s.sha256)}${s.rejected ? " (its last reload was rejected)" : ""}`,
        fix: rewrite,
      });
    } else if (s.rejected) {
      out.push({ ...base, live: `the router rejected its last reload (serves v${s.version})`, fix: rewrite });
    }
  }
  return out;
}

function compareHost(stack: string, d: DesiredHost, live: LiveHost | undefined): Finding[] {
  const fix = fixesFor(stack, d);
  if (!live || live.unreachable !== undefined) {
    const check = d.ssh ? `ssh -p ${d.ssh.port} ${d.ssh.user}@${d.ssh.address} docker version` : `docker -H ${d.docker} version`;
    return [
      {
        kind: "host-unreachable",
        host: d.name,
        subject: d.docker,
        stack: `${d.containers.length} containers`,
        live: live?.unreachable ?? "not read",
        fix: check,
      },
    ];
  }
  const out: Finding[] = [];
  for (const c of d.containers) out.push(...compareContainer(d.name, c, live.containers[c.name], live.images[c.image], fix));
  out.push(...compareModels(d, live, fix), ...compareRouters(d, live, fix));
  const declared = new Set(d.containers.map((c) => c.name));
  for (const name of live.labelled) {
    if (!declared.has(name))
      out.push({
        kind: "foreign-container",
        host: d.name,
        subject: name,
        stack: "not declared",
        live: "carries the stack's labels",
        fix: fix.docker("rm", "-f", name),
      });
  }
  return out;
}

export function compare(desired: DesiredState, live: readonly LiveHost[]): Finding[] {
  return desired.hosts.flatMap((h) =>
    compareHost(
      desired.stack,
      h,
      live.find((l) => l.name === h.name),
    ),
  );
}
