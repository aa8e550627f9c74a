// Cross-checks zod cannot express per field: references between sections, GPUs, ports, cluster shape.
import type { Gpus, HostConfig, StackConfig } from "./schema.js";
import { problem, rmFix, configPath, type ConfigProblem } from "./problems.js";
import { isUnparsed, nothingUnparsed, type Unparsed } from "./partial.js";
import { own } from "../specs/hosts.js";
import { kokoroSpecs } from "../specs/kokoro.js";
import { openWebUIContainer, openWebUIVolume } from "../specs/openWebUI.js";
import { routerSpecs } from "../specs/router.js";
import { engineSpecs } from "../specs/stack.js";
import type { ContainerSpec } from "../specs/types.js";

function known(names: Iterable<string>): string {
  const list = [...names];
  return list.length ? list.join(", ") : "(none)";
}

function hasGpu(gpus: Gpus): boolean {
  return gpus !== "none";
}

/** The model names a backend answers to, or undefined when it cannot be known ahead (Ollama with no list). */
export function servedModels(backend: StackConfig["backends"][string]): string[] | undefined {
  switch (backend.engine) {
    case "vllm":
      return [backend.vllm.servedModelName ?? backend.vllm.model];
    case "llamacpp":
      return [backend.llamacpp.alias];
    case "ollama":
      return backend.models.length ? backend.models : undefined;
  }
}

function checkHostRef(hosts: Record<string, HostConfig>, unparsed: Unparsed, name: string, at: (string | number)[], out: ConfigProblem[]): boolean {
  if (Object.hasOwn(hosts, name)) return true;
  // The host exists but is invalid: its own problem is reported, this reference is not wrong.
  if (isUnparsed(unparsed.hosts, name)) return false;
  out.push(problem(at, `unknown host "${name}"; known: ${known(Object.keys(hosts))}`, Object.keys(hosts)[0] ?? "<host>"));
  return false;
}

interface PortClaim {
  host: string;
  port: number;
  at: (string | number)[];
  what: string;
}

/**
 * `unparsed` names what exists in the config but did not parse (and so is absent from `cfg`); findings that
 * would only be consequences of its absence are not reported.
 */
export function crossCheck(cfg: StackConfig, unparsed: Unparsed = nothingUnparsed): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const claims: PortClaim[] = [];

  for (const [name, b] of Object.entries(cfg.backends)) {
    const base = ["backends", name];
    b.hosts.forEach((h, i) => checkHostRef(cfg.hosts, unparsed, h, [...base, "hosts", i], out));
    const cluster = b.engine === "vllm" ? b.vllm.cluster : undefined;
    if (cluster && b.hosts.length < 2) {
      out.push(problem([...base, "hosts"], `cluster mode needs at least 2 hosts, got ${b.hosts.length}`, '["<head>","<worker>"]'));
    }
    if (!cluster && b.hosts.length !== 1) {
      out.push(problem([...base, "hosts"], `a ${b.engine} backend runs on exactly one host (only vLLM cluster mode spans several), got ${b.hosts.length}`, `["${b.hosts[0] ?? "<host>"}"]`));
    }
    if (new Set(b.hosts).size !== b.hosts.length) {
      out.push(problem([...base, "hosts"], "lists a host twice", `["${[...new Set(b.hosts)].join('","')}"]`));
    }
    for (const [i, h] of b.hosts.entries()) {
      const host = own(cfg.hosts, h);
      if (!host) continue;
      const wantsGpu = b.gpus === undefined ? b.engine === "vllm" : hasGpu(b.gpus);
      if (wantsGpu && !hasGpu(host.gpus)) {
        out.push(problem([...base, "hosts", i], `${b.engine} needs a GPU but host "${h}" declares gpus: none`, `<a GPU host>`));
      }
      if (b.engine === "vllm" && b.gpus === "none") {
        out.push(problem([...base, "gpus"], "vLLM needs a GPU; it cannot run with gpus: none", "all"));
      }
      if (Array.isArray(b.gpus) && Array.isArray(host.gpus)) {
        const hostGpus = host.gpus;
        b.gpus.forEach((g, j) => {
          if (!hostGpus.includes(g)) out.push(problem([...base, "gpus", j], `host "${h}" has no GPU "${g}"; it offers ${known(hostGpus)}`, hostGpus[0] ?? "all"));
        });
      }
      if (!cluster || i === 0) claims.push({ host: h, port: b.port, at: [...base, "port"], what: `backend ${name}` });
      if (cluster && i === 0) claims.push({ host: h, port: cluster.rayPort, at: [...base, "vllm", "cluster", "rayPort"], what: `backend ${name} (Ray head)` });
    }
  }

  if (cfg.openWebUI && checkHostRef(cfg.hosts, unparsed, cfg.openWebUI.host, ["openWebUI", "host"], out)) {
    claims.push({ host: cfg.openWebUI.host, port: cfg.openWebUI.port, at: ["openWebUI", "port"], what: "Open WebUI" });
  }
  if (cfg.kokoro && checkHostRef(cfg.hosts, unparsed, cfg.kokoro.host, ["kokoro", "host"], out)) {
    claims.push({ host: cfg.kokoro.host, port: cfg.kokoro.port, at: ["kokoro", "port"], what: "Kokoro" });
    const host = own(cfg.hosts, cfg.kokoro.host);
    if (cfg.kokoro.gpu && host && !hasGpu(host.gpus)) {
      out.push(problem(["kokoro", "gpu"], `the GPU image needs a GPU but host "${cfg.kokoro.host}" declares gpus: none`, "false"));
    }
  }
  cfg.router.hosts.forEach((h, i) => {
    if (checkHostRef(cfg.hosts, unparsed, h, ["router", "hosts", i], out) && !unparsed.parts.has("router.port")) claims.push({ host: h, port: cfg.router.port, at: ["router", "port"], what: "the router" });
  });
  if (new Set(cfg.router.hosts).size !== cfg.router.hosts.length) {
    out.push(problem(["router", "hosts"], "lists a host twice", `["${[...new Set(cfg.router.hosts)].join('","')}"]`));
  }

  // No two containers bind one host port.
  const byHostPort = new Map<string, PortClaim>();
  for (const c of claims) {
    const key = `${c.host}:${c.port}`;
    const first = byHostPort.get(key);
    if (first && first.what !== c.what) {
      out.push(problem(c.at, `port ${c.port} on host "${c.host}" is already bound by ${first.what}`, String(freePort(claims, c.host, c.port))));
    } else if (!first) byHostPort.set(key, c);
  }

  checkDockerNames(cfg, out);

  // Alias targets name existing backends and models those backends serve.
  for (const [alias, def] of Object.entries(cfg.router.aliases)) {
    def.targets.forEach((t, i) => {
      const at = ["router", "aliases", alias, "targets", i];
      const backend = own(cfg.backends, t.backend);
      if (!backend) {
        if (isUnparsed(unparsed.backends, t.backend)) return;
        out.push(problem([...at, "backend"], `unknown backend "${t.backend}"; known: ${known(Object.keys(cfg.backends))}`, Object.keys(cfg.backends)[0] ?? "<backend>"));
        return;
      }
      const models = servedModels(backend);
      if (models && !models.includes(t.model)) {
        out.push(problem([...at, "model"], `backend "${t.backend}" does not serve "${t.model}"; it serves ${known(models)}`, models[0] ?? "<model>"));
      }
    });
  }

  // API keys: each named key has its secret, scopes name real aliases, and no secret is orphaned.
  const keyNames = new Set<string>();
  cfg.router.apiKeys.forEach((k, i) => {
    if (keyNames.has(k.name)) out.push(problem(["router", "apiKeys", i, "name"], `duplicate key name "${k.name}"`, `${k.name}-2`));
    keyNames.add(k.name);
    if (!Object.hasOwn(cfg.secrets.apiKeys, k.name) && !isUnparsed(unparsed.secretKeys, k.name)) {
      out.push(problem(["secrets", "apiKeys", k.name], `API key "${k.name}" has no secret value`, "<key>", { secret: true }));
    }
    k.aliases?.forEach((a, j) => {
      if (!Object.hasOwn(cfg.router.aliases, a) && !isUnparsed(unparsed.aliases, a)) out.push(problem(["router", "apiKeys", i, "aliases", j], `unknown alias "${a}"; known: ${known(Object.keys(cfg.router.aliases))}`, Object.keys(cfg.router.aliases)[0] ?? "<alias>"));
    });
  });
  for (const name of Object.keys(cfg.secrets.apiKeys)) {
    if (!keyNames.has(name) && !unparsed.parts.has("router.apiKeys")) {
      const path = configPath(["secrets", "apiKeys", name]);
      out.push({ path, message: `no router.apiKeys entry is named "${name}"`, fix: rmFix(path) });
    }
  }
  for (const [family, alias] of Object.entries(cfg.router.claudeModels ?? {})) {
    if (alias !== undefined && !Object.hasOwn(cfg.router.aliases, alias) && !isUnparsed(unparsed.aliases, alias)) {
      out.push(problem(["router", "claudeModels", family], `unknown alias "${alias}"; known: ${known(Object.keys(cfg.router.aliases))}`, Object.keys(cfg.router.aliases)[0] ?? "<alias>"));
    }
  }

  const hasOpenWebUI = cfg.openWebUI !== undefined || unparsed.parts.has("openWebUI");
  if (hasOpenWebUI && cfg.router.apiKeys.length > 0 && !keyNames.has("open-webui")) {
    const i = cfg.router.apiKeys.length;
    out.push(problem(["router", "apiKeys", i, "name"], 'the router requires API keys, so Open WebUI needs one named "open-webui" (and its secret under secrets.apiKeys.open-webui)', "open-webui"));
  }
  if (cfg.ingress.enabled) {
    if (!cfg.ingress.domain && !unparsed.parts.has("ingress.domain")) out.push(problem(["ingress", "domain"], "ingress is enabled but has no domain", "llm.example.com"));
    if (!hasOpenWebUI) out.push(problem(["ingress", "enabled"], "ingress routes to Open WebUI, but no openWebUI is configured", "false"));
    const remoteRouters = cfg.router.hosts.filter((h) => own(cfg.hosts, h)?.kind === "local");
    if (remoteRouters.length) {
      out.push(problem(["ingress", "enabled"], `a cluster cannot reach a router on the local host ("${remoteRouters.join('", "')}")`, "false"));
    }
  }
  return out;
}

interface NameClaim {
  host: string;
  object: "container" | "volume";
  name: string;
  at: (string | number)[];
  what: string;
}

/** Where a container spec's placement is configured, and what it is called in a message. */
function ownerOf(cfg: StackConfig, spec: Pick<ContainerSpec, "kind" | "owner" | "host">): { at: (string | number)[]; what: string } {
  switch (spec.kind) {
    case "engine":
      return { at: ["backends", spec.owner, "hosts", Math.max(0, own(cfg.backends, spec.owner)?.hosts.indexOf(spec.host) ?? 0)], what: `backend ${spec.owner}` };
    case "router":
      return { at: ["router", "hosts", Math.max(0, cfg.router.hosts.indexOf(spec.host))], what: "the router" };
    case "openWebUI":
      return { at: ["openWebUI", "host"], what: "Open WebUI" };
    case "kokoro":
      return { at: ["kokoro", "host"], what: "Kokoro" };
  }
}

/**
 * Docker names containers and volumes per host, so two services whose specs use the same name on one host
 * (a backend named `router-box` on the router's host `box`) would fight over one container. The fixed
 * names (router, Open WebUI, Kokoro) claim first, so the finding lands on the backend, whose name is the
 * user's choice.
 */
function checkDockerNames(cfg: StackConfig, out: ConfigProblem[]): void {
  const specs: Pick<ContainerSpec, "name" | "kind" | "owner" | "host" | "volumes">[] = [...routerSpecs(cfg, "~"), ...kokoroSpecs(cfg), ...engineSpecs(cfg)];
  if (cfg.openWebUI && own(cfg.hosts, cfg.openWebUI.host)) {
    specs.unshift({ name: openWebUIContainer, kind: "openWebUI", owner: "open-webui", host: cfg.openWebUI.host, volumes: [{ volume: openWebUIVolume, containerPath: "" }] });
  }
  const claims: NameClaim[] = specs.flatMap((s) => {
    const { at, what } = ownerOf(cfg, s);
    return [{ host: s.host, object: "container" as const, name: s.name, at, what }, ...s.volumes.map((v) => ({ host: s.host, object: "volume" as const, name: v.volume, at, what }))];
  });
  const first = new Map<string, NameClaim>();
  for (const c of claims) {
    const key = `${c.host}\u0000${c.object}\u0000${c.name}`;
    const taken = first.get(key);
    if (!taken) first.set(key, c);
    else if (taken.what !== c.what) {
      const other = Object.keys(cfg.hosts).find((h) => h !== c.host);
      out.push(problem(c.at, `${c.object} name "${c.name}" on host "${c.host}" is already ${taken.what}'s; rename ${c.what} or move it to another host`, other ?? "<another host>"));
    }
  }
}

function freePort(claims: readonly PortClaim[], host: string, from: number): number {
  const used = new Set(claims.filter((c) => c.host === host).map((c) => c.port));
  let p = from + 1;
  while (used.has(p)) p++;
  return p;
}
