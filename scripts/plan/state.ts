// The desired state of one capture as Markdown, grouped by host: containers, config delivery,
// images and volumes; then the Kubernetes objects (ingress rules); then the alias table.
import { aliasTableOf } from "./diff.js";
import { code, show, shortDigest, targetList } from "./format.js";
import { compareGroups, groupOf, kubernetesGroup } from "./hosts.js";
import type { Capture, CapturedResource, Json } from "./types.js";
import { isSecretValue } from "./types.js";

const T = {
  container: "docker:index/container:Container",
  image: "docker:index/remoteImage:RemoteImage",
  builtImage: "docker:index/image:Image",
  volume: "docker:index/volume:Volume",
  dockerProvider: "pulumi:providers:docker",
  remoteCommand: "command:remote:Command",
  localCommand: "command:local:Command",
};

type Obj = Record<string, Json>;
const obj = (v: Json | undefined): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) && !isSecretValue(v) ? v : {});
const arr = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);
const str = (v: Json | undefined): string => (typeof v === "string" ? v : v === undefined || v === null ? "" : show(v));

/** The GPU request a container's deviceRequests make (infra/specs/hosts.ts dockerDeviceRequest): all, or which devices. */
function gpus(i: Obj): string | undefined {
  const req = arr(i.deviceRequests)
    .map(obj)
    .find((d) => arr(d.capabilities).includes("gpu"));
  if (!req) return i.gpus ? str(i.gpus) : undefined;
  const ids = arr(req.deviceIds).map(str);
  return ids.length ? `device=${ids.join(",")}` : req.count === -1 ? "all" : `count=${str(req.count)}`;
}

function containerLines(r: CapturedResource): string[] {
  const i = r.inputs;
  const lines = [`- **${code(r.name)}** — image ${code(str(i.image))}`];
  const ports = arr(i.ports).map((p) => `${str(obj(p).external)}→${str(obj(p).internal)}`);
  if (str(i.networkMode)) lines.push(`  - network: ${code(str(i.networkMode))}`);
  if (ports.length) lines.push(`  - ports (host→container): ${ports.map(code).join(", ")}`);
  const g = gpus(i);
  lines.push(`  - GPUs: ${g ? code(g) : "none (CPU)"}`);
  if (str(i.ipcMode)) lines.push(`  - ipc: ${code(str(i.ipcMode))}`);
  if (arr(i.entrypoints).length) lines.push(`  - entrypoint: ${code(show(i.entrypoints))}`);
  if (arr(i.command).length) lines.push(`  - command: ${code(show(i.command))}`);
  const envs = isSecretValue(i.envs ?? null) ? ["[secret]"] : arr(i.envs).map((e) => show(e));
  if (envs.length) lines.push(`  - env: ${[...envs].sort().map(code).join(", ")}`);
  const mounts = arr(i.volumes).map((v) => {
    const m = obj(v);
    const from = str(m.volumeName) || str(m.hostPath);
    return `${code(from)} → ${code(str(m.containerPath))}${m.readOnly === true ? " (read-only)" : ""}`;
  });
  if (mounts.length) lines.push(`  - volumes: ${mounts.join("; ")}`);
  const hosts = arr(i.hosts).map((h) => `${str(obj(h).host)}=${str(obj(h).ip)}`);
  if (hosts.length) lines.push(`  - extra hosts: ${hosts.map(code).join(", ")}`);
  return lines;
}

/** The file a delivery command writes: the target of its final rename (a shell word, quoted or not). */
function deliveredFile(create: string): string | undefined {
  const m = /mv -f "\$tmp" (?:'([^']+)'|(\S+))\s*$/.exec(create);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** The model a pull script makes present (infra/specs/ollama.ts modelPullScript). */
function pulledModel(create: string): { model: string; container: string } | undefined {
  const m = /docker exec (\S+) ollama pull (?:'([^']+)'|(\S+))/.exec(create);
  return m ? { container: m[1] ?? "", model: m[2] ?? m[3] ?? "" } : undefined;
}

function modelLines(r: CapturedResource): string[] {
  const pull = pulledModel(str(r.inputs.create));
  return pull ? [`- ${code(pull.model)} in ${code(pull.container)} (${code(r.name)}: pulled unless present)`] : [];
}

function commandLines(r: CapturedResource): string[] {
  const create = str(r.inputs.create);
  const file = deliveredFile(create);
  const stdin = r.inputs.stdin;
  const content = typeof stdin === "string" ? `content ${code(shortDigest(stdin))}` : stdin ? "content [secret]" : "no content";
  const where = r.type === T.localCommand ? "local command" : "remote command";
  return [`- ${code(r.name)} (${where}): ${file ? `writes ${code(file)}, ` : ""}${content}`];
}

function hostSection(capture: Capture, group: string, rs: CapturedResource[]): string[] {
  const out = [`### Host ${code(group)}`, ""];
  const provider = rs.find((r) => r.type === T.dockerProvider);
  if (provider) out.push(`Docker endpoint: ${code(str(provider.inputs.host))}`, "");
  const containers = rs.filter((r) => r.type === T.container);
  if (containers.length) out.push("**Containers**", "", ...containers.flatMap(containerLines), "");
  const commands = rs.filter((r) => r.type === T.remoteCommand || r.type === T.localCommand);
  const pulls = commands.filter((r) => pulledModel(str(r.inputs.create)));
  const deliveries = commands.filter((r) => !pulls.includes(r));
  if (deliveries.length) out.push("**Config delivery**", "", ...deliveries.flatMap(commandLines), "");
  if (pulls.length) out.push("**Models**", "", ...pulls.flatMap(modelLines), "");
  const built = rs
    .filter((r) => r.type === T.builtImage)
    .map((r) => `${code(str(r.inputs.imageName))} (built from ${code(str(obj(r.inputs.build).dockerfile))})`);
  const images = [...rs.filter((r) => r.type === T.image).map((r) => code(str(r.inputs.name))), ...built];
  if (images.length) out.push(`**Images:** ${[...new Set(images)].join(", ")}`, "");
  const volumes = rs.filter((r) => r.type === T.volume).map((r) => code(str(r.inputs.name)));
  if (volumes.length) out.push(`**Volumes:** ${volumes.join(", ")}`, "");
  const known = new Set(Object.values(T));
  const other = rs.filter((r) => !known.has(r.type));
  if (other.length) out.push("**Other**", "", ...other.map((r) => `- ${code(r.type)} ${code(r.name)}`), "");
  return out;
}

function serviceRef(s: Json): string {
  const o = obj(s);
  return `${str(o.kind) || "Service"} ${code(str(o.name))}${o.port !== undefined ? `:${str(o.port)}` : ""}`;
}

function kubernetesSection(rs: CapturedResource[]): string[] {
  const out = [`### ${kubernetesGroup}`, ""];
  for (const r of rs) {
    if (r.type.startsWith("pulumi:providers:")) {
      const ctx = str(r.inputs.context);
      out.push(`- provider ${code(r.name)}${ctx ? ` (context ${code(ctx)})` : ""}${r.inputs.kubeconfig ? ", kubeconfig [secret]" : ""}`);
      continue;
    }
    const meta = obj(r.inputs.metadata);
    const name = [str(meta.namespace), str(meta.name)].filter(Boolean).join("/");
    const kind = str(r.inputs.kind) || r.type;
    const spec = obj(r.inputs.spec);
    if (kind === "Service") {
      const ports = arr(spec.ports)
        .map((p) => str(obj(p).port))
        .join(", ");
      out.push(`- Service ${code(name)}: ${str(spec.type)}${spec.externalName ? ` → ${code(str(spec.externalName))}` : ""}${ports ? ` port ${ports}` : ""}`);
    } else if (kind === "TraefikService") {
      out.push(`- TraefikService ${code(name)}: weighted over ${arr(obj(spec.weighted).services).map(serviceRef).join(", ")}`);
    } else if (kind === "Middleware" && spec.retry) {
      const retry = obj(spec.retry);
      out.push(`- Middleware ${code(name)}: retry, ${str(retry.attempts)} attempts${retry.initialInterval ? ` from ${str(retry.initialInterval)} apart` : ""}`);
    } else if (kind === "IngressRoute") {
      const tls = obj(spec.tls);
      out.push(
        `- IngressRoute ${code(name)}: entry points ${arr(spec.entryPoints)
          .map((e) => code(str(e)))
          .join(", ")}${tls.certResolver ? `, TLS via ${code(str(tls.certResolver))}` : ""}`,
      );
      const routes = [...arr(spec.routes)].sort((a, b) => Number(obj(b).priority ?? 0) - Number(obj(a).priority ?? 0));
      for (const route of routes) {
        const o = obj(route);
        const via = arr(o.middlewares).map((m) => code(str(obj(m).name)));
        out.push(
          `  - priority ${str(o.priority)} → ${arr(o.services).map(serviceRef).join(", ")}${via.length ? ` via ${via.join(", ")}` : ""}`,
          "",
          "    ```",
          `    ${str(o.match)}`,
          "    ```",
          "",
        );
      }
    } else {
      out.push(`- ${kind} ${code(name || r.name)}`);
    }
  }
  out.push("");
  return out;
}

function aliasSection(capture: Capture): string[] {
  const table = aliasTableOf(capture);
  const names = Object.keys(table).sort();
  const out = ["### Aliases", ""];
  if (names.length === 0) return [...out, "No alias table.", ""];
  const hosts = Object.keys(capture.aliases).sort();
  const same = hosts.every((h) => JSON.stringify(capture.aliases[h]) === JSON.stringify(table));
  out.push(`Router hosts: ${hosts.map(code).join(", ")}${same ? " (same table on each)" : " (tables differ: the first is shown)"}`, "");
  out.push("| alias | targets, in order |", "|---|---|");
  for (const n of names) out.push(`| ${code(n)} | ${targetList(table[n])} |`);
  out.push("");
  return out;
}

export function renderState(capture: Capture): string[] {
  const groups = new Map<string, CapturedResource[]>();
  for (const r of capture.resources) {
    const g = groupOf(capture, r);
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const out: string[] = [];
  for (const g of [...groups.keys()].sort(compareGroups)) {
    const rs = (groups.get(g) ?? []).sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
    out.push(...(g === kubernetesGroup ? kubernetesSection(rs) : hostSection(capture, g, rs)));
  }
  out.push(...aliasSection(capture));
  return out;
}
