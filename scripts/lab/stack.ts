// The lab's stack config, generated from stacks/Pulumi.home.yaml at every `up`: the same file with only
// what must differ on one machine changed (each host's address and SSH port, the kube context) and the
// secrets the home file leaves to `pulumi config set --secret`. Never a hand-kept copy, so the lab
// cannot drift from home: GPU requests, image tags, ports, aliases and models are home's own.
import { randomBytes } from "node:crypto";
import { parse, stringify } from "yaml";
import type { LabHost } from "./layout.js";

export const LAB_STACK = "lab";
export const LAB_KUBE_CONTEXT = "aistack-lab";

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function section(config: Json, key: string): Json {
  const v = config[`aistack:${key}`];
  return isObject(v) ? v : {};
}

/** The home stack file's `config:` block with the lab's addresses, SSH ports and kube context. */
export function labStackConfig(homeYaml: string, hosts: readonly Pick<LabHost, "name" | "address" | "sshPort">[], kubeContext = LAB_KUBE_CONTEXT): Json {
  const doc = parse(homeYaml) as { config?: unknown } | null;
  if (!doc || !isObject(doc.config)) throw new Error("the home stack file has no config block");
  const config = structuredClone(doc.config);
  const homeHosts = section(config, "hosts");
  for (const [name, h] of Object.entries(homeHosts)) {
    const lab = hosts.find((x) => x.name === name);
    if (!lab || !isObject(h)) throw new Error(`the lab has no host ${name}`);
    h.address = lab.address;
    h.sshPort = lab.sshPort;
  }
  const ingress = section(config, "ingress");
  if (ingress.enabled === true) config["aistack:ingress"] = { ...ingress, context: kubeContext };
  return config;
}

export function labStackFile(config: Json): string {
  return `# Generated from stacks/Pulumi.home.yaml by \`npm run lab -- up\`: host addresses, SSH ports and the kube\n# context changed, secrets set with \`pulumi config set --secret\`. Do not edit; edit the home stack.\n${stringify({ config })}`;
}

/** `secrets.<path>` values the home stack asks for (its header comment and docs/infra.md), made up for the lab. */
export function labSecrets(config: Json, kubeconfig: string | undefined): Record<string, string> {
  const router = section(config, "router");
  const out: Record<string, string> = {};
  const keys = Array.isArray(router.apiKeys) ? router.apiKeys : [];
  for (const k of keys) if (isObject(k) && typeof k.name === "string") out[`apiKeys.${k.name}`] = `lab-${k.name}-${randomBytes(16).toString("hex")}`;
  if (Object.keys(section(config, "openWebUI")).length) out.webuiSecretKey = randomBytes(24).toString("hex");
  const backends = section(config, "backends");
  if (Object.values(backends).some((b) => isObject(b) && b.engine === "vllm")) out.hfToken = `hf_lab${randomBytes(12).toString("hex")}`;
  if (kubeconfig !== undefined && section(config, "ingress").enabled === true) out.kubeconfig = kubeconfig;
  return out;
}

/** Every image the stack pins, per host: what the lab must have loaded on each host before `pulumi up`. */
export function pinnedImages(
  config: Json,
  defaultNodeImage: string,
): { host: string; image: string; role: "ollama" | "vllm" | "open-webui" | "kokoro" | "node-base" }[] {
  const out: { host: string; image: string; role: "ollama" | "vllm" | "open-webui" | "kokoro" | "node-base" }[] = [];
  for (const b of Object.values(section(config, "backends"))) {
    if (!isObject(b) || typeof b.image !== "string" || !Array.isArray(b.hosts)) continue;
    if (b.engine !== "ollama" && b.engine !== "vllm") throw new Error(`the lab has no stand-in for engine ${String(b.engine)}`);
    for (const h of b.hosts) out.push({ host: String(h), image: b.image, role: b.engine });
  }
  const owui = section(config, "openWebUI");
  if (typeof owui.image === "string") out.push({ host: String(owui.host), image: owui.image, role: "open-webui" });
  const kokoro = section(config, "kokoro");
  if (typeof kokoro.image === "string") out.push({ host: String(kokoro.host), image: kokoro.image, role: "kokoro" });
  const router = section(config, "router");
  if (router.image === undefined && Array.isArray(router.hosts)) {
    const base = typeof router.baseImage === "string" ? router.baseImage : defaultNodeImage;
    for (const h of router.hosts) out.push({ host: String(h), image: base, role: "node-base" });
  }
  return out;
}

/** Each Ollama backend's host and declared models (put into its volume before `pulumi up`). */
export function ollamaModels(config: Json): { backend: string; host: string; models: string[] }[] {
  return Object.entries(section(config, "backends")).flatMap(([name, b]) =>
    isObject(b) && b.engine === "ollama" && Array.isArray(b.hosts)
      ? [{ backend: name, host: String(b.hosts[0]), models: Array.isArray(b.models) ? b.models.map(String) : [] }]
      : [],
  );
}
