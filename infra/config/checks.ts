// Cross-checks zod cannot express per field: references between sections, GPUs, ports, cluster shape.
// Each rule is a named check over the parts that parsed (test/infra/config/checks.test.ts has a table per check).
import { referenceProblems } from "../../router/config/schema.js";
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
function servedModels(backend: StackConfig["backends"][string]): string[] | undefined {
  switch (backend.engine) {
    case "vllm":
      return [backend.vllm.servedModelName ?? backend.vllm.model];
    case "llamacpp":
      return [backend.llamacpp.alias];
    case "ollama":
      return backend.models.length ? backend.models : undefined;
  }
}

/** A cross-check: the problems of one rule over the parts of the config that parsed. */
type Check = (cfg: StackConfig, unparsed: Unparsed) => ConfigProblem[];

/** Pushes a problem when `name` is not a host; true when it is one. */
function checkHostRef(hosts: Record<string, HostConfig>, unparsed: Unparsed, name: string, at: (string | number)[], out: ConfigProblem[]): boolean {
  if (Object.hasOwn(hosts, name)) return true;
  // The host exists but is invalid: its own problem is reported, this reference is not wrong.
  if (isUnparsed(unparsed.hosts, name)) return false;
  out.push(problem(at, `unknown host "${name}"; known: ${known(Object.keys(hosts))}`, Object.keys(hosts)[0] ?? "<host>"));
  return false;
}

function vllmCluster(b: StackConfig["backends"][string]) {
  return b.engine === "vllm" ? b.vllm.cluster : undefined;
}

/** A backend's hosts exist, are distinct, and are as many as its engine runs on (one, or 2+ for a vLLM cluster). */
const backendHosts: Check = (cfg, unparsed) => {
  const out: ConfigProblem[] = [];
  for (const [name, b] of Object.entries(cfg.backends)) {
    const base = ["backends", name];
    b.hosts.forEach((h, i) => checkHostRef(cfg.hosts, unparsed, h, [...base, "hosts", i], out));
    const cluster = vllmCluster(b);
    if (cluster && b.hosts.length < 2) {
      out.push(problem([...base, "hosts"], `cluster mode needs at least 2 hosts, got ${b.hosts.length}`, '["<head>","<worker>"]'));
    }
    if (!cluster && b.hosts.length !== 1) {
      out.push(
        problem(
          [...base, "hosts"],
          `a ${b.engine} backend runs on exactly one host (only vLLM cluster mode spans several), got ${b.hosts.length}`,
          `["${b.hosts[0] ?? "<host>"}"]`,
        ),
      );
    }
    if (new Set(b.hosts).size !== b.hosts.length) {
      out.push(problem([...base, "hosts"], "lists a host twice", `["${[...new Set(b.hosts)].join('","')}"]`));
    }
  }
  return out;
};

/** A backend that needs a GPU runs on hosts that have one, and the GPU ids it names exist there. */
const backendGpus: Check = (cfg) => {
  const out: ConfigProblem[] = [];
  for (const [name, b] of Object.entries(cfg.backends)) {
    const base = ["backends", name];
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
          if (!hostGpus.includes(g))
            out.push(problem([...base, "gpus", j], `host "${h}" has no GPU "${g}"; it offers ${known(hostGpus)}`, hostGpus[0] ?? "all"));
        });
      }
    }
  }
  return out;
};

/** Open WebUI, Kokoro and the router run on hosts that exist (the router on distinct ones), Kokoro's GPU image on a GPU host. */
const serviceHosts: Check = (cfg, unparsed) => {
  const out: ConfigProblem[] = [];
  if (cfg.openWebUI) checkHostRef(cfg.hosts, unparsed, cfg.openWebUI.host, ["openWebUI", "host"], out);
  if (cfg.kokoro && checkHostRef(cfg.hosts, unparsed, cfg.kokoro.host, ["kokoro", "host"], out)) {
    const host = own(cfg.hosts, cfg.kokoro.host);
    if (cfg.kokoro.gpu && host && !hasGpu(host.gpus)) {
      out.push(problem(["kokoro", "gpu"], `the GPU image needs a GPU but host "${cfg.kokoro.host}" declares gpus: none`, "false"));
    }
  }
  cfg.router.hosts.forEach((h, i) => checkHostRef(cfg.hosts, unparsed, h, ["router", "hosts", i], out));
  if (new Set(cfg.router.hosts).size !== cfg.router.hosts.length) {
    out.push(problem(["router", "hosts"], "lists a host twice", `["${[...new Set(cfg.router.hosts)].join('","')}"]`));
  }
  return out;
};

interface PortClaim {
  host: string;
  port: number;
  at: (string | number)[];
  what: string;
}

/** The host ports each service binds, on the hosts that exist. */
function portClaims(cfg: StackConfig, unparsed: Unparsed): PortClaim[] {
  const claims: PortClaim[] = [];
  for (const [name, b] of Object.entries(cfg.backends)) {
    const cluster = vllmCluster(b);
    for (const [i, h] of b.hosts.entries()) {
      if (!own(cfg.hosts, h)) continue;
      if (!cluster || i === 0) claims.push({ host: h, port: b.port, at: ["backends", name, "port"], what: `backend ${name}` });
      if (cluster && i === 0)
        claims.push({ host: h, port: cluster.rayPort, at: ["backends", name, "vllm", "cluster", "rayPort"], what: `backend ${name} (Ray head)` });
    }
  }
  if (cfg.openWebUI && own(cfg.hosts, cfg.openWebUI.host)) {
    claims.push({ host: cfg.openWebUI.host, port: cfg.openWebUI.port, at: ["openWebUI", "port"], what: "Open WebUI" });
  }
  if (cfg.kokoro && own(cfg.hosts, cfg.kokoro.host)) claims.push({ host: cfg.kokoro.host, port: cfg.kokoro.port, at: ["kokoro", "port"], what: "Kokoro" });
  for (const h of cfg.router.hosts) {
    if (own(cfg.hosts, h) && !unparsed.parts.has("router.port")) claims.push({ host: h, port: cfg.router.port, at: ["router", "port"], what: "the router" });
  }
  return claims;
}

function freePort(claims: readonly PortClaim[], host: string, from: number): number {
  const used = new Set(claims.filter((c) => c.host === host).map((c) => c.port));
  let p = from + 1;
  while (used.has(p)) p++;
  return p;
}

/** No two containers bind one host port. */
const hostPorts: Check = (cfg, unparsed) => {
  const out: ConfigProblem[] = [];
  const claims = portClaims(cfg, unparsed);
  const byHostPort = new Map<string, PortClaim>();
  for (const c of claims) {
    const key = `${c.host}:${c.port}`;
    const first = byHostPort.get(key);
    if (first && first.what !== c.what) {
      out.push(problem(c.at, `port ${c.port} on host "${c.host}" is already bound by ${first.what}`, String(freePort(claims, c.host, c.port))));
    } else if (!first) byHostPort.set(key, c);
  }
  return out;
};

/**
 * References into other sections: alias targets name existing backends, key scopes and Claude families
 * name existing aliases, no key name is used twice. The router's parser runs the same function on its
 * file (referenceProblems in router/config/schema.ts).
 */
const references: Check = (cfg, unparsed) => {
  const sections = { backends: cfg.backends, aliases: cfg.router.aliases, apiKeys: cfg.router.apiKeys, claudeModels: cfg.router.claudeModels };
  const present = { backend: (n: string) => isUnparsed(unparsed.backends, n), alias: (n: string) => isUnparsed(unparsed.aliases, n) };
  return referenceProblems(sections, present).map((p) => problem(["router", ...p.path], p.message, p.suggestion));
};

/** An alias target's model is one its backend serves, where that is known ahead (not for Ollama with no list). */
const targetModels: Check = (cfg) => {
  const out: ConfigProblem[] = [];
  for (const [alias, def] of Object.entries(cfg.router.aliases)) {
    def.targets.forEach((t, i) => {
      const backend = own(cfg.backends, t.backend);
      const models = backend && servedModels(backend);
      if (models && !models.includes(t.model)) {
        out.push(
          problem(
            ["router", "aliases", alias, "targets", i, "model"],
            `backend "${t.backend}" does not serve "${t.model}"; it serves ${known(models)}`,
            models[0] ?? "<model>",
          ),
        );
      }
    });
  }
  return out;
};

/** Each named API key has its secret, and every secret belongs to a named key. */
const apiKeySecrets: Check = (cfg, unparsed) => {
  const out: ConfigProblem[] = [];
  for (const { name } of cfg.router.apiKeys) {
    if (!Object.hasOwn(cfg.secrets.apiKeys, name) && !isUnparsed(unparsed.secretKeys, name)) {
      out.push(problem(["secrets", "apiKeys", name], `API key "${name}" has no secret value`, "<key>", { secret: true }));
    }
  }
  const keyNames = new Set(cfg.router.apiKeys.map((k) => k.name));
  for (const name of Object.keys(cfg.secrets.apiKeys)) {
    if (!keyNames.has(name) && !unparsed.parts.has("router.apiKeys")) {
      const path = configPath(["secrets", "apiKeys", name]);
      out.push({ path, message: `no router.apiKeys entry is named "${name}"`, fix: rmFix(path) });
    }
  }
  return out;
};

function hasOpenWebUI(cfg: StackConfig, unparsed: Unparsed): boolean {
  return cfg.openWebUI !== undefined || unparsed.parts.has("openWebUI");
}

/** When the router requires keys, Open WebUI (one of its clients) has one named "open-webui". */
const openWebUIKey: Check = (cfg, unparsed) => {
  const keys = cfg.router.apiKeys;
  if (!hasOpenWebUI(cfg, unparsed) || keys.length === 0 || keys.some((k) => k.name === "open-webui")) return [];
  return [
    problem(
      ["router", "apiKeys", keys.length, "name"],
      'the router requires API keys, so Open WebUI needs one named "open-webui" (and its secret under secrets.apiKeys.open-webui)',
      "open-webui",
    ),
  ];
};

/** An enabled ingress has a domain, Open WebUI to route to, and routers a cluster can reach. */
const ingress: Check = (cfg, unparsed) => {
  const out: ConfigProblem[] = [];
  if (!cfg.ingress.enabled) return out;
  if (!cfg.ingress.domain && !unparsed.parts.has("ingress.domain"))
    out.push(problem(["ingress", "domain"], "ingress is enabled but has no domain", "llm.example.com"));
  if (!hasOpenWebUI(cfg, unparsed)) out.push(problem(["ingress", "enabled"], "ingress routes to Open WebUI, but no openWebUI is configured", "false"));
  const localRouters = cfg.router.hosts.filter((h) => own(cfg.hosts, h)?.kind === "local");
  if (localRouters.length) {
    out.push(problem(["ingress", "enabled"], `a cluster cannot reach a router on the local host ("${localRouters.join('", "')}")`, "false"));
  }
  return out;
};

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
      return {
        at: ["backends", spec.owner, "hosts", Math.max(0, own(cfg.backends, spec.owner)?.hosts.indexOf(spec.host) ?? 0)],
        what: `backend ${spec.owner}`,
      };
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
const dockerNames: Check = (cfg) => {
  const out: ConfigProblem[] = [];
  const specs: Pick<ContainerSpec, "name" | "kind" | "owner" | "host" | "volumes">[] = [...routerSpecs(cfg, "~"), ...kokoroSpecs(cfg), ...engineSpecs(cfg)];
  if (cfg.openWebUI && own(cfg.hosts, cfg.openWebUI.host)) {
    specs.unshift({
      name: openWebUIContainer,
      kind: "openWebUI",
      owner: "open-webui",
      host: cfg.openWebUI.host,
      volumes: [{ volume: openWebUIVolume, containerPath: "" }],
    });
  }
  const claims: NameClaim[] = specs.flatMap((s) => {
    const { at, what } = ownerOf(cfg, s);
    return [
      { host: s.host, object: "container" as const, name: s.name, at, what },
      ...s.volumes.map((v) => ({ host: s.host, object: "volume" as const, name: v.volume, at, what })),
    ];
  });
  const first = new Map<string, NameClaim>();
  for (const c of claims) {
    const key = `${c.host}\u0000${c.object}\u0000${c.name}`;
    const taken = first.get(key);
    if (!taken) first.set(key, c);
    else if (taken.what !== c.what) {
      const other = Object.keys(cfg.hosts).find((h) => h !== c.host);
      out.push(
        problem(
          c.at,
          `${c.object} name "${c.name}" on host "${c.host}" is already ${taken.what}'s; rename ${c.what} or move it to another host`,
          other ?? "<another host>",
        ),
      );
    }
  }
  return out;
};

/**
 * Every cross-check. `unparsed` names what exists in the config but did not parse (and so is absent from
 * `cfg`); findings that would only be consequences of its absence are not reported.
 */
export function crossCheck(cfg: StackConfig, unparsed: Unparsed = nothingUnparsed): ConfigProblem[] {
  const checks: Check[] = [backendHosts, backendGpus, serviceHosts, hostPorts, dockerNames, references, targetModels, apiKeySecrets, openWebUIKey, ingress];
  return checks.flatMap((check) => check(cfg, unparsed));
}
