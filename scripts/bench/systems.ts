// The systems under test, each configured for the same upstream and model with logging off:
// the upstream itself (the floor), nginx (the proxy floor), the router, and the peer gateways.
// Peers are installed into a cache directory outside the repository; one that cannot be installed
// or started raises SystemUnavailable, which the report shows instead of a number.
import { execFile, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { RouterConfigInput } from "../../router/config/schema.js";
import type { StreamTarget } from "./client.js";
import { imageNodeFlags } from "./image-flags.js";
import { probe } from "./procs.js";
import { freePort, start, stop, waitUntil } from "../lib/child.js";

const run = promisify(execFile);

export const SYSTEM_NAMES = ["direct", "nginx", "router", "portkey", "litellm", "olla"] as const;
export type SystemName = (typeof SYSTEM_NAMES)[number];

/**
 * The peer gateways: installed on first use (npm, PyPI, Go modules) and slow to start and to measure,
 * so they run only with --peers. nginx is not one: it is the baseline the router's targets are ratios
 * against (W2 ≥ 0.30× nginx, W6 against round-robin), a Debian package that starts in milliseconds.
 */
export const PEERS: readonly SystemName[] = ["portkey", "litellm", "olla"];

/** The model (or alias) every system serves, mapped onto the fake upstream. */
const MODEL = "bench";

export class SystemUnavailable extends Error {}

export interface Face {
  url: string;
  headers: Record<string, string>;
  body(text: string, stream: boolean): string;
}

export interface RunningSystem {
  name: SystemName;
  /** Root of the process tree whose memory is the system's (the upstream's for direct). */
  pid: number;
  openai: Face;
  /** The Anthropic Messages face, or why there is none. */
  anthropic: Face | string;
  stop(): Promise<void>;
}

export interface Upstream {
  port: number;
  controlPort: number;
  pid: number;
}

export interface SystemContext {
  repoRoot: string;
  cacheDir: string;
  workDir: string;
  upstream: Upstream;
  install: boolean;
  /** Run the router from dist/ (after `npm run build`) instead of from source with tsx. */
  routerDist: boolean;
  /** When set, the router runs with --cpu-prof writing into this directory. */
  routerProfDir: string | undefined;
  ollaVersion: string;
}

/** What starting a process for a system needs, without the W1–W5 upstream (W6 brings its own engines). */
export type ProcessContext = Omit<SystemContext, "upstream" | "ollaVersion">;

const JSON_HEADERS = { "content-type": "application/json" };

function openaiFace(url: string, headers: Record<string, string> = {}): Face {
  return {
    url,
    headers: { ...JSON_HEADERS, ...headers },
    body: (text, stream) => JSON.stringify({ model: MODEL, stream, messages: [{ role: "user", content: text }] }),
  };
}

function anthropicFace(url: string, headers: Record<string, string> = {}): Face {
  return {
    url,
    // anthropic-version is required on every Messages call (docs.anthropic.com, "Versions").
    headers: { ...JSON_HEADERS, "anthropic-version": "2023-06-01", ...headers },
    body: (text, stream) => JSON.stringify({ model: MODEL, max_tokens: 256, stream, messages: [{ role: "user", content: text }] }),
  };
}

export function streamTarget(face: Face): StreamTarget {
  return { url: face.url, headers: face.headers, body: (text) => face.body(text, true) };
}

/** True when the face answers a small non-streamed request with 200. */
async function answers(face: Face): Promise<boolean> {
  const r = await probe(face.url, { method: "POST", headers: face.headers, body: face.body("bench", false) }, 3000);
  return r.status === 200;
}

async function anthropicOrReason(face: Face): Promise<Face | string> {
  try {
    const r = await probe(face.url, { method: "POST", headers: face.headers, body: face.body("bench", false) }, 5000);
    return r.status === 200 ? face : `POST /v1/messages answered ${r.status}`;
  } catch (e) {
    return `POST /v1/messages failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function direct(ctx: SystemContext): Promise<RunningSystem> {
  return Promise.resolve({
    name: "direct",
    pid: ctx.upstream.pid,
    openai: openaiFace(`http://127.0.0.1:${ctx.upstream.port}/v1/chat/completions`),
    anthropic: "the upstream speaks OpenAI only",
    stop: () => Promise.resolve(),
  });
}

/**
 * nginx as a reverse proxy: keep-alive upstream pool over `servers` (round-robin when several), no
 * buffering, no access log; `location` adds directives to the proxied location.
 */
export function nginxConfig(
  dir: string,
  listenPort: number,
  servers: number | readonly string[],
  runAsRoot: boolean,
  location: readonly string[] = [],
): string {
  const upstream = typeof servers === "number" ? [`127.0.0.1:${servers}`] : servers;
  return `${runAsRoot ? "user root;\n" : ""}worker_processes auto;
daemon off;
master_process on;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream bench_upstream {
${upstream.map((u) => `    server ${u};`).join("\n")}
    keepalive 256;
  }
  server {
    listen 127.0.0.1:${listenPort};
    # W7 sends bodies of tens of MB; streamed through, not buffered (proxy_request_buffering off).
    client_max_body_size 0;
    location / {
      proxy_pass http://bench_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 300s;
${location.map((l) => `      ${l}\n`).join("")}    }
  }
}
`;
}

/** Starts nginx on a config made for a free port, in its own directory under the work dir. */
export async function startNginx(
  ctx: ProcessContext,
  name: string,
  config: (dir: string, port: number, runAsRoot: boolean) => string,
  ready: (port: number) => Promise<boolean>,
): Promise<{ child: ChildProcess; port: number }> {
  const dir = join(ctx.workDir, name);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  writeFileSync(join(dir, "nginx.conf"), config(dir, port, process.getuid?.() === 0));
  try {
    await run("nginx", ["-v"]);
  } catch {
    throw new SystemUnavailable("nginx is not installed (Debian: apt-get install -y nginx-light)");
  }
  const started = start("nginx", ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", join(dir, "error.log")]);
  await waitUntil(started, () => ready(port), 10_000, "nginx");
  return { child: started.child, port };
}

async function nginx(ctx: SystemContext): Promise<RunningSystem> {
  const face = (port: number): Face => openaiFace(`http://127.0.0.1:${port}/v1/chat/completions`);
  const { child, port } = await startNginx(
    ctx,
    "nginx",
    (dir, p, root) => nginxConfig(dir, p, ctx.upstream.port, root),
    (p) => answers(face(p)),
  );
  return { name: "nginx", pid: child.pid!, openai: face(port), anthropic: "a pass-through proxy does not translate", stop: () => stop(child) };
}

export function routerConfig(upstreamPort: number, listenPort: number): RouterConfigInput {
  return {
    listen: { host: "127.0.0.1", port: listenPort },
    backends: { upstream: { engine: "openai", url: `http://127.0.0.1:${upstreamPort}` } },
    aliases: { [MODEL]: { targets: [{ backend: "upstream", model: MODEL }] } },
    logging: { level: "warn", logBodies: false },
    drainMs: 1000,
  };
}

/**
 * Starts the router on a config written into the work dir: from source with tsx, or compiled with the
 * node flags of the image's ENTRYPOINT. Resolves once `ready(port)` says so.
 */
export async function startRouterProcess(
  ctx: ProcessContext,
  file: string,
  config: (port: number) => RouterConfigInput,
  ready: (port: number) => Promise<boolean>,
): Promise<{ child: ChildProcess; port: number }> {
  const entry = ctx.routerDist ? join(ctx.repoRoot, "dist/router/main.js") : join(ctx.repoRoot, "router/main.ts");
  if (!existsSync(entry)) {
    throw new SystemUnavailable(ctx.routerDist ? "dist/router/main.js missing (run npm run build)" : "router/main.ts does not exist yet");
  }
  const port = await freePort();
  const configPath = join(ctx.workDir, file);
  writeFileSync(configPath, JSON.stringify(config(port), null, 2));
  const nodeArgs = ctx.routerDist ? imageNodeFlags(join(ctx.repoRoot, "router/Dockerfile")) : ["--import", "tsx"];
  if (ctx.routerProfDir !== undefined) nodeArgs.push("--cpu-prof", "--cpu-prof-dir", ctx.routerProfDir);
  const started = start(process.execPath, [...nodeArgs, entry, "--config", configPath, "--port", String(port)], { cwd: ctx.repoRoot });
  await waitUntil(started, () => ready(port), 20_000, "router");
  return { child: started.child, port };
}

async function router(ctx: SystemContext): Promise<RunningSystem> {
  const face = (port: number): Face => openaiFace(`http://127.0.0.1:${port}/v1/chat/completions`);
  const { child, port } = await startRouterProcess(
    ctx,
    "router.json",
    (p) => routerConfig(ctx.upstream.port, p),
    (p) => answers(face(p)),
  );
  return {
    name: "router",
    pid: child.pid!,
    openai: face(port),
    anthropic: await anthropicOrReason(anthropicFace(`http://127.0.0.1:${port}/v1/messages`)),
    stop: () => stop(child, 5000),
  };
}

async function npmInstall(ctx: SystemContext, dir: string, spec: string): Promise<void> {
  if (!ctx.install) throw new SystemUnavailable(`${spec} is not installed in ${dir} and --no-install was given`);
  try {
    await run("npm", ["install", "--prefix", dir, "--no-audit", "--no-fund", spec], { timeout: 300_000 });
  } catch (e) {
    throw new SystemUnavailable(`npm install ${spec} failed: ${e instanceof Error ? e.message.slice(0, 300) : String(e)}`);
  }
}

const PORTKEY_SPEC = "@portkey-ai/gateway@1.15.2";

async function portkey(ctx: SystemContext): Promise<RunningSystem> {
  const dir = join(ctx.cacheDir, "portkey");
  const entry = join(dir, "node_modules/@portkey-ai/gateway/build/start-server.js");
  if (!existsSync(entry)) await npmInstall(ctx, dir, PORTKEY_SPEC);
  const port = await freePort();
  // The gateway listens on every interface and has no host flag; a preload pins its listen()
  // to loopback so the benchmark never opens a port beyond this machine.
  const preload = join(ctx.workDir, "loopback-only.mjs");
  writeFileSync(
    preload,
    [
      'import net from "node:net";',
      "const listen = net.Server.prototype.listen;",
      "net.Server.prototype.listen = function (...args) {",
      '  if (typeof args[0] === "number" && typeof args[1] !== "string") args.splice(1, 0, "127.0.0.1");',
      '  else if (typeof args[0] === "object" && args[0] !== null && args[0].host === undefined && args[0].port !== undefined) args[0] = { ...args[0], host: "127.0.0.1" };',
      "  return listen.apply(this, args);",
      "};",
      "",
    ].join("\n"),
  );
  const started = start(process.execPath, ["--import", preload, entry, `--port=${port}`, "--headless"], {
    cwd: dir,
    env: { ...process.env, NODE_ENV: "production" },
  });
  // Portkey reaches a self-hosted OpenAI-compatible server through these two headers
  // (portkey.ai docs, "Universal API": x-portkey-provider and x-portkey-custom-host).
  const face = openaiFace(`http://127.0.0.1:${port}/v1/chat/completions`, {
    authorization: "Bearer bench",
    "x-portkey-provider": "openai",
    "x-portkey-custom-host": `http://127.0.0.1:${ctx.upstream.port}/v1`,
  });
  await waitUntil(started, () => answers(face), 30_000, "portkey");
  const child = started.child;
  return { name: "portkey", pid: child.pid!, openai: face, anthropic: "not measured for Portkey", stop: () => stop(child) };
}

/** The LiteLLM proxy's binary, installed with pip into a venv in the cache directory on first use. */
export async function litellmBinary(ctx: ProcessContext): Promise<string> {
  const venv = join(ctx.cacheDir, "litellm-venv");
  const bin = join(venv, "bin/litellm");
  if (!existsSync(bin)) {
    if (!ctx.install) throw new SystemUnavailable(`LiteLLM is not installed in ${venv} and --no-install was given`);
    try {
      await run("python3", ["-m", "venv", venv], { timeout: 120_000 });
      await run(join(venv, "bin/pip"), ["install", "-q", "litellm[proxy]"], { timeout: 600_000 });
    } catch (e) {
      throw new SystemUnavailable(`pip install litellm[proxy] failed: ${e instanceof Error ? e.message.slice(0, 300) : String(e)}`);
    }
  }
  return bin;
}

// LITELLM_LOG sets its log level (docs.litellm.ai/docs/proxy/debugging); the local cost map keeps it
// from fetching one over the network at start.
export const LITELLM_ENV = { LITELLM_LOG: "ERROR", LITELLM_LOCAL_MODEL_COST_MAP: "True", NO_DOCS: "True" };

/** The end of every LiteLLM proxy config here: the master key (recent releases refuse to start without one), no logging of messages, no telemetry. */
export const LITELLM_SETTINGS: readonly string[] = [
  "general_settings:",
  "  master_key: sk-bench",
  "litellm_settings:",
  "  set_verbose: false",
  "  turn_off_message_logging: true",
  "  telemetry: false",
  "",
];

async function litellm(ctx: SystemContext): Promise<RunningSystem> {
  const bin = await litellmBinary(ctx);
  const port = await freePort();
  const config = join(ctx.workDir, "litellm.yaml");
  writeFileSync(
    config,
    [
      "model_list:",
      `  - model_name: ${MODEL}`,
      "    litellm_params:",
      `      model: openai/${MODEL}`,
      `      api_base: http://127.0.0.1:${ctx.upstream.port}/v1`,
      "      api_key: bench",
      ...LITELLM_SETTINGS,
    ].join("\n"),
  );
  const started = start(bin, ["--config", config, "--host", "127.0.0.1", "--port", String(port), "--num_workers", "1"], {
    cwd: ctx.workDir,
    env: { ...process.env, ...LITELLM_ENV },
  });
  const face = openaiFace(`http://127.0.0.1:${port}/v1/chat/completions`, { authorization: "Bearer sk-bench" });
  await waitUntil(started, () => answers(face), 90_000, "litellm");
  const child = started.child;
  return {
    name: "litellm",
    pid: child.pid!,
    openai: face,
    anthropic: await anthropicOrReason(anthropicFace(`http://127.0.0.1:${port}/v1/messages`, { "x-api-key": "sk-bench" })),
    stop: () => stop(child),
  };
}

async function olla(ctx: SystemContext): Promise<RunningSystem> {
  const gobin = join(ctx.cacheDir, "go/bin");
  const bin = join(gobin, "olla");
  if (!existsSync(bin)) {
    if (!ctx.install) throw new SystemUnavailable(`Olla is not installed in ${gobin} and --no-install was given`);
    try {
      await run("go", ["install", `github.com/thushan/olla@${ctx.ollaVersion}`], {
        timeout: 600_000,
        env: { ...process.env, GOBIN: gobin, GOPATH: join(ctx.cacheDir, "go") },
      });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const why = /403|not available/.test(msg) ? "the Go module proxy refuses the module (403)" : msg.slice(0, 200);
      throw new SystemUnavailable(`go install github.com/thushan/olla@${ctx.ollaVersion} failed: ${why}`);
    }
  }
  throw new SystemUnavailable("Olla is installed but the harness has no Olla configuration yet");
}

export const SYSTEMS: Record<SystemName, (ctx: SystemContext) => Promise<RunningSystem>> = { direct, nginx, router, portkey, litellm, olla };
