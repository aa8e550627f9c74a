// The Pulumi program under a real engine (`npm run e2e:infra` prepares the CLI and images and starts
// this file): a stack made for the test on the local Docker engine, one real Ollama (two tiny models)
// and the router built by the program, driven with the CLI a user runs. The steps build on each other.

import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { eventually, freePort } from "../../scripts/lib/child.js";
import { pulumiRunner, seedOllamaModels, type PulumiResult, type PulumiRunner } from "../../scripts/lib/project.js";

const env = {
  pulumi: process.env.AISTACK_INFRA_PULUMI ?? "",
  workDir: process.env.AISTACK_INFRA_WORKDIR ?? "",
  ollamaImage: process.env.AISTACK_INFRA_OLLAMA_IMAGE ?? "",
  nodeBase: process.env.AISTACK_INFRA_NODE_BASE ?? "",
};
if (!env.pulumi || !env.workDir || !env.ollamaImage || !env.nodeBase) throw new Error("run this suite with `npm run e2e:infra`");

const run = randomBytes(3).toString("hex");
const host = `e2e${run}`;
const backend = `e2e${run}-ollama`;
const routerContainer = `router-${host}`;
const modelsVolume = `${backend}-models`;
const models = ["tiny-a", "tiny-b"] as const;
const stack = "e2e";
const outputLog = join(env.workDir, "pulumi-output.log");

let pulumi: PulumiRunner;
let ollamaPort = 0;
let routerPort = 0;
let destroyed = false;

function docker(args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 5 * 60_000 }).trim();
}

/** Runs pulumi, keeps its output in the work dir and on stderr (the suite's real output is the point). */
async function cli(args: string[]): Promise<PulumiResult> {
  const r = await pulumi.run(args);
  const text = `\n$ pulumi ${args.join(" ")}  (exit ${r.code})\n${r.stdout}${r.stderr ? `--- stderr ---\n${r.stderr}` : ""}`;
  appendFileSync(outputLog, text);
  process.stderr.write(text);
  return r;
}

/** The last lines of a container's output (kept in the work dir for a failed run). */
function dockerLogs(container: string): string {
  const r = spawnSync("docker", ["logs", "--tail", "200", container], { encoding: "utf8", timeout: 30_000 });
  return `${r.stdout}${r.stderr}`.trim();
}

function startedAt(container: string): string {
  return docker(["inspect", "-f", "{{.State.StartedAt}}", container]);
}

async function chat(
  alias: string,
): Promise<{ status: number; backend: string | null; body: { model?: string; choices?: { message?: { content?: string } }[] } }> {
  const res = await fetch(`http://127.0.0.1:${routerPort}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: alias, messages: [{ role: "user", content: "hello" }], max_tokens: 8 }),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, backend: res.headers.get("x-router-backend"), body: (await res.json()) as never };
}

async function loadedModels(): Promise<string[]> {
  const res = await fetch(`http://127.0.0.1:${ollamaPort}/api/ps`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { models?: { name: string }[] };
  return (body.models ?? []).map((m) => m.name.replace(/:latest$/, ""));
}

/** The models exist in the engine's volume before the stack does: no registry is reachable from here. */
function seedModels(): void {
  seedOllamaModels(docker, env.ollamaImage, modelsVolume, join(env.workDir, "gguf"), models);
}

function stackFile(): Record<string, unknown> {
  return {
    config: {
      "pulumi:disable-default-providers": ["*"],
      "aistack:hosts": { [host]: { kind: "local", gpus: "none", dataDir: join(env.workDir, "data") } },
      "aistack:backends": {
        [backend]: {
          engine: "ollama",
          hosts: [host],
          port: ollamaPort,
          image: env.ollamaImage,
          models: [...models],
          ollama: { keepAlive: "5m", maxLoadedModels: 1, numParallel: 1, contextLength: 4096, flashAttention: false, schedSpread: false },
        },
      },
      "aistack:router": {
        hosts: [host],
        port: routerPort,
        baseImage: env.nodeBase,
        aliases: { chat: { targets: [{ backend, model: "tiny-a" }] } },
      },
    },
  };
}

beforeAll(async () => {
  ollamaPort = await freePort();
  routerPort = await freePort();
  const project = join(env.workDir, "project");
  pulumi = pulumiRunner(env.pulumi, project, join(env.workDir, "state"), join(env.workDir, "pulumi-home"));
  seedModels();
  writeFileSync(join(project, "stacks", `Pulumi.${stack}.yaml`), stringify(stackFile()));
  const init = await cli(["stack", "init", stack]);
  expect(init.code, init.stderr).toBe(0);
});

afterAll(async () => {
  if (!pulumi) return;
  if (!destroyed) await cli(["destroy", "--yes", "--skip-preview", "-s", stack]);
  await cli(["stack", "rm", "--yes", "--force", "-s", stack]);
  for (const c of [backend, routerContainer]) {
    try {
      docker(["rm", "-f", c]);
    } catch {
      // gone
    }
  }
  try {
    docker(["volume", "rm", modelsVolume]);
  } catch {
    // gone
  }
});

describe("pulumi against the local Docker engine", () => {
  it("previews with no secrets set", async () => {
    const r = await cli(["preview", "--diff", "-s", stack]);
    expect(r.code, r.stderr).toBe(0);
  });

  it("brings the stack up: Ollama with its listed models, the router built from router/Dockerfile", async () => {
    const r = await cli(["up", "--yes", "--skip-preview", "-s", stack]);
    expect(r.code, r.stderr).toBe(0);
    const listed = docker(["exec", backend, "ollama", "list"]);
    for (const m of models) expect(listed).toContain(m);
    expect(docker(["inspect", "-f", "{{.Config.Image}}", routerContainer])).toMatch(/^sha256:/);
  });

  it("answers a request through the router container from the Ollama container", async () => {
    // Short attempts until the router is ready: a connection made while the container starts is accepted
    // by Docker's port proxy before the router listens, and was seen to hang rather than fail.
    await eventually("the router ready", async () => {
      const r = await fetch(`http://127.0.0.1:${routerPort}/readyz`, { signal: AbortSignal.timeout(2_000) });
      await r.arrayBuffer();
      return r.ok ? true : undefined;
    });
    const res = await chat("chat");
    expect(res.status).toBe(200);
    expect(res.backend).toBe(backend);
    expect(res.body.choices?.[0]?.message?.content?.length ?? 0).toBeGreaterThan(0);
    expect(await loadedModels()).toContain("tiny-a");
  });

  it("a second preview reports no changes", async () => {
    const r = await cli(["preview", "--expect-no-changes", "--diff", "-s", stack]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it("repointing an alias changes exactly one resource, and after up the router answers with the new target, nothing restarted", async () => {
    const before = { router: startedAt(routerContainer), engine: startedAt(backend) };
    const set = await cli(["config", "set", "--path", "router.aliases.chat.targets[0].model", "tiny-b", "-s", stack]);
    expect(set.code, set.stderr).toBe(0);
    const preview = await cli(["preview", "--json", "-s", stack]);
    expect(preview.code, preview.stderr).toBe(0);
    const plan = JSON.parse(preview.stdout) as { steps?: { op: string; urn: string }[]; changeSummary?: Record<string, number> };
    const changed = (plan.steps ?? []).filter((s) => s.op !== "same");
    process.stderr.write(`repoint: changeSummary ${JSON.stringify(plan.changeSummary)}; changed ${JSON.stringify(changed.map((s) => `${s.op} ${s.urn}`))}\n`);
    const resources = new Set(changed.map((s) => s.urn));
    expect([...resources].map((u) => u.slice(u.lastIndexOf("::") + 2))).toEqual([`router-${host}-config`]);

    const up = await cli(["up", "--yes", "--skip-preview", "-s", stack]);
    expect(up.code, up.stderr).toBe(0);
    await eventually("the router serving the new target", async () => {
      const r = await chat("chat");
      return r.status === 200 && (await loadedModels()).includes("tiny-b") ? r : undefined;
    });
    expect({ router: startedAt(routerContainer), engine: startedAt(backend) }).toEqual(before);
  });

  it("destroy removes the containers and leaves the model volume", async () => {
    for (const c of [backend, routerContainer]) appendFileSync(outputLog, `\n$ docker logs ${c}\n${dockerLogs(c)}\n`);
    const r = await cli(["destroy", "--yes", "--skip-preview", "-s", stack]);
    expect(r.code, r.stderr).toBe(0);
    destroyed = true;
    expect(docker(["ps", "-a", "--filter", `name=^${backend}$`, "--format", "{{.Names}}"])).toBe("");
    expect(docker(["volume", "inspect", "-f", "{{.Name}}", modelsVolume])).toBe(modelsVolume);
  });
});
