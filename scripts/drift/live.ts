// Reads one host the way the program reaches it: its Docker CLI over SSH with the user's agent (the same
// user, address and port as the provider's `ssh://user@addr:port`), or the local socket; the engines'
// and routers' own HTTP APIs. Read-only: `docker ps`, `docker inspect`, `docker image inspect`, `cat`.
import { execFile } from "node:child_process";
import { shellJoin, shellWord } from "../../infra/specs/shell.js";
import { apiPath, assembleHost, type HttpRead, type RawHostReads } from "./assemble.js";
import type { DesiredHost, DesiredState, LiveHost } from "./types.js";

interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one shell command line on a host. */
export type HostExec = (host: DesiredHost, command: string) => Promise<ExecResult>;

const execTimeoutMs = 60_000;

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: execTimeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 255) : 0;
      resolve({ code, stdout, stderr: stderr || (err && typeof err.code !== "number" ? err.message : "") });
    });
  });
}

/** ssh exits 255 when the connection (not the remote command) failed. */
const sshFailed = 255;

const hostExec: HostExec = (host, command) => {
  if (!host.ssh) return run("/bin/sh", ["-c", command], { ...process.env, DOCKER_HOST: host.docker });
  const { user, address, port } = host.ssh;
  // BatchMode as the program's provider sets it: keys from the agent, never a prompt.
  return run("ssh", ["-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-p", String(port), `${user}@${address}`, "--", command], process.env);
};

function lastLine(text: string): string {
  const lines = text.trim().split("\n");
  return (lines[lines.length - 1] ?? "").trim() || "no output";
}

async function httpGet(url: string): Promise<HttpRead> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
    return { error: cause };
  }
}

/** `<ref>\t<id> <env json>` per image reference; nothing after the tab when the host does not have it. */
function imagesScript(refs: string[]): string {
  if (refs.length === 0) return "true";
  const format = shellWord("{{.Id}} {{json .Config.Env}}");
  return `for r in ${shellJoin(refs)}; do i=$(docker image inspect --format ${format} "$r" 2>/dev/null) || i=; printf '%s\\t%s\\n' "$r" "$i"; done`;
}

async function readHost(d: DesiredHost, labels: Record<string, string>, exec: HostExec = hostExec): Promise<LiveHost> {
  const filters = Object.entries(labels).flatMap(([k, v]) => ["--filter", `label=${k}=${v}`]);
  const ps = await exec(d, shellJoin(["docker", "ps", "-a", ...filters, "--format", "{{.Names}}"]));
  const empty: RawHostReads = { labelled: "", inspect: "", images: "", http: {}, files: {} };
  if (ps.code !== 0) {
    // ssh's own message names itself ("ssh: connect to host ..."); a Docker CLI failure is named here.
    const why = d.ssh && ps.code === sshFailed ? lastLine(ps.stderr) : `docker: ${lastLine(ps.stderr)}`;
    return assembleHost(d, { ...empty, unreachable: why });
  }
  const names = d.containers.map((c) => c.name);
  // Exits 1 when some name is missing, and still prints the ones it found.
  const inspect = await exec(d, `${shellJoin(["docker", "inspect", "--type", "container", ...names])} 2>/dev/null`);
  const runningIds = [...inspect.stdout.matchAll(/"Image":\s*"(sha256:[0-9a-f]+)"/g)].map((m) => m[1] as string);
  const refs = [...new Set([...d.containers.map((c) => c.image), ...runningIds])];
  const images = await exec(d, imagesScript(refs));
  const files: RawHostReads["files"] = {};
  for (const r of d.routers) {
    const f = await exec(d, `if [ -e ${shellWord(r.file)} ]; then cat -- ${shellWord(r.file)}; else echo absent >&2; exit 3; fi`);
    files[r.file] = f.code === 0 ? f.stdout : f.code === 3 ? null : { error: lastLine(f.stderr) };
  }
  const urls = [
    ...d.ollama.map((o) => o.url + apiPath.ollama),
    ...d.served.map((s) => s.url + apiPath.served),
    ...d.routers.map((r) => r.url + apiPath.router),
  ];
  const http: Record<string, HttpRead> = {};
  await Promise.all(urls.map(async (u) => (http[u] = await httpGet(u))));
  return assembleHost(d, { labelled: ps.stdout, inspect: inspect.stdout, images: images.stdout, http, files });
}

/** Every host at once; one that cannot be read never keeps the others from being read. */
export function readLive(desired: DesiredState, exec: HostExec = hostExec): Promise<LiveHost[]> {
  return Promise.all(desired.hosts.map((h) => readHost(h, desired.labels, exec)));
}
