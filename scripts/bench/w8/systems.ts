// The systems W8 compares in front of the same two Ollama servers: the router with session affinity
// (its default), the router without it (routing.affinity.enabled false: the ranking alone), and
// round-robin (nginx, as a hand-made proxy set-up does it).
import type http from "node:http";
import type { RouterConfigInput } from "../../../router/config/schema.js";
import { probe } from "../procs.js";
import { stop } from "../../lib/child.js";
import { nginxConfig, startNginx, startRouterProcess, type ProcessContext } from "../systems.js";
import type { W8Face } from "./clients.js";
import { W8_MODEL, type W8Server } from "./engines.js";

export const W8_SYSTEMS = ["router", "router-no-affinity", "round-robin"] as const;
export type W8SystemName = (typeof W8_SYSTEMS)[number];

export interface W8System {
  name: W8SystemName;
  face: W8Face;
  /** What the router's session affinity did (router_affinity_total by choice); empty for the others. */
  affinity(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** The router config a user would write: maxConcurrency is each server's OLLAMA_NUM_PARALLEL. */
export function w8RouterConfig(servers: readonly W8Server[], port: number, affinity: boolean): RouterConfigInput {
  const backends: RouterConfigInput["backends"] = {};
  for (const s of servers) backends[s.name] = { engine: "ollama", url: s.server.url, maxConcurrency: s.numParallel };
  return {
    listen: { host: "127.0.0.1", port },
    backends,
    aliases: { [W8_MODEL]: { targets: servers.map((s) => ({ backend: s.name, model: W8_MODEL })) } },
    routing: { affinity: { enabled: affinity } },
    // No keep-alive bytes while a stream waits for its first token (a long prefill): the head then
    // goes out with the answer and carries x-router-backend, which says which engine served the turn.
    timeouts: { keepAliveMs: 3_600_000 },
    logging: { level: "warn", logBodies: false },
    drainMs: 1000,
  };
}

async function affinityCounts(port: number): Promise<Record<string, number>> {
  const r = await probe(`http://127.0.0.1:${port}/metrics`, {}, 5_000);
  const out: Record<string, number> = {};
  for (const m of r.body.matchAll(/^router_affinity_total\{[^}]*choice="([\w-]+)"[^}]*\} (\d+)/gm))
    out[m[1] as string] = (out[m[1] as string] ?? 0) + Number(m[2]);
  return out;
}

async function router(ctx: ProcessContext, servers: readonly W8Server[], affinity: boolean): Promise<W8System> {
  const ready = async (port: number): Promise<boolean> => {
    const r = await probe(`http://127.0.0.1:${port}/status.json`, {}, 2_000);
    if (r.status !== 200) return false;
    const s = JSON.parse(r.body) as { backends: { health: string }[] };
    return s.backends.every((b) => b.health === "up");
  };
  const { child, port } = await startRouterProcess(
    ctx,
    `w8-router-${affinity ? "affinity" : "plain"}.json`,
    (p) => w8RouterConfig(servers, p, affinity),
    ready,
  );
  const backend = (h: http.IncomingHttpHeaders): string | undefined => (typeof h["x-router-backend"] === "string" ? h["x-router-backend"] : undefined);
  return {
    name: affinity ? "router" : "router-no-affinity",
    face: { url: `http://127.0.0.1:${port}/api/chat`, engineOf: backend },
    affinity: () => affinityCounts(port),
    stop: () => stop(child, 5000),
  };
}

async function roundRobin(ctx: ProcessContext, servers: readonly W8Server[]): Promise<W8System> {
  const hosts = servers.map((s) => new URL(s.server.url).host);
  const byHost = new Map(servers.map((s) => [new URL(s.server.url).host, s.name]));
  // nginx says which server it used, so each answer's engine is known as with the router. Ollama
  // answers 403 to a Host it does not know when it listens on loopback (server/routes.go,
  // allowedHostsMiddleware), and nginx would send the upstream block's name.
  const location = ["add_header x-upstream-addr $upstream_addr always;", "proxy_set_header Host localhost;"];
  const { child, port } = await startNginx(
    ctx,
    "w8-nginx",
    (dir, p, root) => nginxConfig(dir, p, hosts, root, location),
    async (p) => (await probe(`http://127.0.0.1:${p}/api/version`, {}, 2_000)).status === 200,
  );
  const engineOf = (h: http.IncomingHttpHeaders): string | undefined =>
    typeof h["x-upstream-addr"] === "string" ? byHost.get(h["x-upstream-addr"]) : undefined;
  return { name: "round-robin", face: { url: `http://127.0.0.1:${port}/api/chat`, engineOf }, affinity: () => Promise.resolve({}), stop: () => stop(child) };
}

export function startW8System(name: W8SystemName, ctx: ProcessContext, servers: readonly W8Server[]): Promise<W8System> {
  switch (name) {
    case "router":
      return router(ctx, servers, true);
    case "router-no-affinity":
      return router(ctx, servers, false);
    case "round-robin":
      return roundRobin(ctx, servers);
  }
}
