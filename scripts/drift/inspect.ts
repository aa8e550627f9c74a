// Pure: `docker inspect` JSON (Docker Engine API ContainerInspect / ImageInspect) into the live state's
// shapes. Env values are digested here, and a secret's text is dropped here: it goes no further.
import { envValue } from "./desired.js";
import type { EnvValue, LiveContainer, Mount, Port } from "./types.js";

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** `NAME=value` entries; the first `=` splits. */
function envEntries(list: unknown): [string, string][] {
  return strings(list).map((e) => {
    const i = e.indexOf("=");
    return i < 0 ? [e, ""] : [e.slice(0, i), e.slice(i + 1)];
  });
}

/** Docker's --gpus as the provider writes it: Count -1 is `all`, device ids are `device=0,1`. */
function gpusOf(deviceRequests: unknown): string | undefined {
  for (const r of Array.isArray(deviceRequests) ? deviceRequests.map(obj) : []) {
    const caps = (Array.isArray(r.Capabilities) ? r.Capabilities : []).flatMap(strings);
    if (!caps.includes("gpu")) continue;
    const ids = strings(r.DeviceIDs);
    if (ids.length) return `device=${ids.join(",")}`;
    return r.Count === -1 ? "all" : `count=${String(r.Count)}`;
  }
  return undefined;
}

/** Published ports from HostConfig.PortBindings (present whether or not the container runs). */
function portsOf(bindings: unknown): Port[] {
  const out = new Map<string, Port>();
  for (const [key, list] of Object.entries(obj(bindings))) {
    const internal = Number(key.split("/")[0]);
    for (const b of Array.isArray(list) ? list.map(obj) : []) {
      const external = Number(str(b.HostPort));
      if (Number.isInteger(internal) && Number.isInteger(external) && external > 0) out.set(`${internal}:${external}`, { internal, external });
    }
  }
  return [...out.values()].sort((a, b) => a.internal - b.internal || a.external - b.external);
}

/** An anonymous volume (an image's VOLUME, named by a random 64-hex id) is not something the stack declares. */
const anonymousVolume = /^[0-9a-f]{64}$/;

function mountsOf(mounts: unknown): Mount[] {
  const out: Mount[] = [];
  for (const m of Array.isArray(mounts) ? mounts.map(obj) : []) {
    const readOnly = m.RW === false;
    if (m.Type === "volume" && !anonymousVolume.test(str(m.Name))) out.push({ type: "volume", source: str(m.Name), target: str(m.Destination), readOnly });
    if (m.Type === "bind") out.push({ type: "bind", source: str(m.Source), target: str(m.Destination), readOnly });
  }
  return out.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
}

/**
 * One element of `docker inspect --type container`. `secretNames` are the env names the stack holds as
 * secrets; their values (and those of names that say secret) keep only a digest.
 */
export function parseContainer(inspect: unknown, secretNames: ReadonlySet<string>): LiveContainer {
  const c = obj(inspect);
  const config = obj(c.Config);
  const host = obj(c.HostConfig);
  const env: Record<string, EnvValue> = {};
  for (const [k, v] of envEntries(config.Env)) env[k] = envValue(k, v, secretNames.has(k));
  const gpus = gpusOf(host.DeviceRequests);
  return {
    name: str(c.Name).replace(/^\//, ""),
    status: str(obj(c.State).Status),
    imageId: str(c.Image),
    imageRef: str(config.Image),
    command: strings(config.Cmd),
    entrypoint: strings(config.Entrypoint),
    env,
    ports: portsOf(host.PortBindings),
    mounts: mountsOf(c.Mounts),
    restart: str(obj(host.RestartPolicy).Name),
    ...(gpus ? { gpus } : {}),
  };
}

/** The env an image sets (`docker image inspect` .Config.Env), by name → digest. */
export function imageEnv(configEnv: unknown): Record<string, string> {
  return Object.fromEntries(envEntries(configEnv).map(([k, v]) => [k, envValue(k, v, true).sha256]));
}

/** `docker inspect` prints a JSON array (empty, or `[]` plus an error, when nothing matched). */
export function parseInspectArray(stdout: string): unknown[] {
  const text = stdout.trim();
  if (text === "") return [];
  const parsed = JSON.parse(text) as unknown;
  return Array.isArray(parsed) ? parsed : [];
}
