// Recorded reads of two hosts of the home stack (fixtures/): `docker inspect` of the declared
// containers, the image lines, Ollama's /api/tags, vLLM's /v1/models, the router's /status.json and
// the router config file. Each test changes one thing in a copy, as a hand on the host would.
import { readFileSync } from "node:fs";
import type { RawHostReads } from "../../../scripts/drift/assemble.js";

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

/** The fields of a `docker inspect` element the tests change. */
export interface Inspected {
  Name: string;
  Image: string;
  State: { Status: string; Running: boolean };
  Config: { Env: string[]; Image: string; Cmd: string[] | null };
  HostConfig: { PortBindings: Record<string, { HostIp: string; HostPort: string }[]>; RestartPolicy: { Name: string }; DeviceRequests: unknown[] | null };
  Mounts: { Type: string; Name?: string; Source: string; Destination: string; RW: boolean }[];
}

export const urls = {
  tags: "http://10.0.0.10:11435/api/tags",
  status: "http://10.0.0.10:4000/status.json",
  models: "http://10.0.0.11:8000/v1/models",
};
export const routerFile = "/opt/aistack/router/router.json";

export function unraid(): RawHostReads {
  return {
    labelled: "kokoro\nopen-webui\nrouter-unraid\nunraid-ollama\n",
    inspect: fixture("unraid-inspect.json"),
    images: fixture("unraid-images.txt"),
    http: { [urls.tags]: { status: 200, body: fixture("unraid-tags.json") }, [urls.status]: { status: 200, body: fixture("unraid-status.json") } },
    files: { [routerFile]: fixture("unraid-router.json") },
  };
}

export function spark1(): RawHostReads {
  return {
    labelled: "spark-vllm-head\n",
    inspect: fixture("spark-1-inspect.json"),
    images: fixture("spark-1-images.txt"),
    http: { [urls.models]: { status: 200, body: fixture("spark-1-models.json") } },
    files: {},
  };
}

/** The same reads with one container's inspect output changed. */
export function withContainer(raw: RawHostReads, name: string, change: (c: Inspected) => void): RawHostReads {
  const list = JSON.parse(raw.inspect) as Inspected[];
  const c = list.find((x) => x.Name === `/${name}`);
  if (!c) throw new Error(`no ${name} in the recording`);
  change(c);
  return { ...raw, inspect: JSON.stringify(list) };
}

export function withoutContainer(raw: RawHostReads, name: string): RawHostReads {
  const list = (JSON.parse(raw.inspect) as Inspected[]).filter((x) => x.Name !== `/${name}`);
  return {
    ...raw,
    inspect: JSON.stringify(list),
    labelled: raw.labelled
      .split("\n")
      .filter((l) => l !== name)
      .join("\n"),
  };
}

export function withJson(raw: RawHostReads, url: string, change: (body: Record<string, unknown>) => void): RawHostReads {
  const r = raw.http[url];
  if (!r || "error" in r) throw new Error(`no answer from ${url} in the recording`);
  const body = JSON.parse(r.body) as Record<string, unknown>;
  change(body);
  return { ...raw, http: { ...raw.http, [url]: { status: 200, body: JSON.stringify(body) } } };
}

export function setEnv(c: Inspected, name: string, value: string): void {
  c.Config.Env = [...c.Config.Env.filter((e) => !e.startsWith(`${name}=`)), `${name}=${value}`];
}
