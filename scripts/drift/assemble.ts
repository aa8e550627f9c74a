// Pure: what was read from one host (the Docker CLI's output, the engines' and routers' answers, the
// router config file) into its live state. live.ts does the reading; tests feed recorded reads.
import { parseOllamaTags } from "../../router/engines/ollama.js";
import { parseOpenAIModelList } from "../../router/engines/types.js";
import { envDigest } from "./desired.js";
import { imageEnv, parseContainer, parseInspectArray } from "./inspect.js";
import type { DesiredHost, LiveContainer, LiveHost, LiveRouter, Read } from "./types.js";

/** An HTTP answer (status and body text), or why there was none. */
export type HttpRead = { status: number; body: string } | { error: string };

export interface RawHostReads {
  /** Set when the host's Docker engine could not be reached; nothing else is read then. */
  unreachable?: string;
  /** `docker ps -a --filter label=... --format '{{.Names}}'`. */
  labelled: string;
  /** `docker inspect --type container <declared names>`. */
  inspect: string;
  /** Lines `<ref>\t<image id> <json of .Config.Env>` (nothing after the tab: not on the host). */
  images: string;
  /** By URL: GET /api/tags, /v1/models, /status.json. */
  http: Record<string, HttpRead>;
  /** The router config files' contents by path; null: no such file; an Error: could not be read. */
  files: Record<string, string | null | { error: string }>;
}

/** The image-resolving lines: ref → { id, env digests }. */
function parseImageLines(text: string): Map<string, { id: string; env: Record<string, string> }> {
  const out = new Map<string, { id: string; env: Record<string, string> }>();
  for (const line of text.split("\n")) {
    const tab = line.indexOf("\t");
    if (tab < 0) continue;
    const rest = line.slice(tab + 1).trim();
    if (rest === "") continue;
    const space = rest.indexOf(" ");
    const id = space < 0 ? rest : rest.slice(0, space);
    let env: Record<string, string> = {};
    try {
      env = space < 0 ? {} : imageEnv(JSON.parse(rest.slice(space + 1)));
    } catch {
      env = {};
    }
    out.set(line.slice(0, tab), { id, env });
  }
  return out;
}

function httpJson(r: HttpRead | undefined, what: string): Read<unknown> {
  if (!r) return { ok: false, error: `${what} was not read` };
  if ("error" in r) return { ok: false, error: `${what}: ${r.error}` };
  if (r.status !== 200) return { ok: false, error: `${what} answered ${r.status}` };
  try {
    return { ok: true, value: JSON.parse(r.body) as unknown };
  } catch {
    return { ok: false, error: `${what} answered with no JSON` };
  }
}

function mapRead<T, U>(r: Read<T>, f: (v: T) => U): Read<U> {
  return r.ok ? { ok: true, value: f(r.value) } : r;
}

export const apiPath = { ollama: "/api/tags", served: "/v1/models", router: "/status.json" } as const;

function routerStatus(v: unknown): { version: number; sha256?: string; rejected: boolean } {
  const config = (typeof v === "object" && v !== null ? (v as Record<string, unknown>).config : undefined) as Record<string, unknown> | undefined;
  const version = typeof config?.version === "number" ? config.version : 0;
  const sha256 = typeof config?.sha256 === "string" ? config.sha256 : undefined;
  return { version, ...(sha256 ? { sha256 } : {}), rejected: config?.rejected !== null && config?.rejected !== undefined };
}

export function assembleHost(desired: DesiredHost, raw: RawHostReads): LiveHost {
  const base: LiveHost = { name: desired.name, containers: {}, images: {}, labelled: [], models: {}, routers: {} };
  if (raw.unreachable !== undefined) return { ...base, unreachable: raw.unreachable };
  const images = parseImageLines(raw.images);
  const containers: Record<string, LiveContainer> = {};
  for (const item of parseInspectArray(raw.inspect)) {
    const probe = parseContainer(item, new Set());
    const d = desired.containers.find((c) => c.name === probe.name);
    if (!d) continue;
    // Names the stack holds as secrets keep only their digest.
    const secrets = new Set(
      Object.entries(d.env)
        .filter(([, v]) => v.value === undefined)
        .map(([k]) => k),
    );
    const c = parseContainer(item, secrets);
    const known = images.get(c.imageId);
    containers[c.name] = known ? { ...c, imageEnv: known.env } : c;
  }
  const running = (name: string): boolean => containers[name]?.status === "running";
  const models: Record<string, Read<string[]>> = {};
  for (const o of desired.ollama) {
    if (running(o.container))
      models[o.container] = mapRead(httpJson(raw.http[o.url + apiPath.ollama], `${o.url}${apiPath.ollama}`), (v) => [...parseOllamaTags(v)]);
  }
  for (const s of desired.served) {
    if (running(s.container))
      models[s.container] = mapRead(httpJson(raw.http[s.url + apiPath.served], `${s.url}${apiPath.served}`), (v) => [...parseOpenAIModelList(v, true).keys()]);
  }
  const routers: Record<string, LiveRouter> = {};
  for (const r of desired.routers) {
    const f = raw.files[r.file];
    const file: Read<string | null> =
      f === undefined
        ? { ok: false, error: `${r.file} was not read` }
        : f === null
          ? { ok: true, value: null }
          : typeof f === "string"
            ? { ok: true, value: envDigest(f) }
            : { ok: false, error: f.error };
    // A router that does not run has no status to read (container-stopped or -missing says so).
    routers[r.container] = running(r.container)
      ? { file, status: mapRead(httpJson(raw.http[r.url + apiPath.router], `${r.url}${apiPath.router}`), routerStatus) }
      : { file };
  }
  return {
    ...base,
    containers,
    images: Object.fromEntries(desired.containers.flatMap((c) => (images.has(c.image) ? [[c.image, images.get(c.image)?.id ?? ""]] : []))),
    labelled: raw.labelled
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "")
      .sort(),
    models,
    routers,
  };
}
