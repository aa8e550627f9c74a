// Real clients, unchanged: the command-line coding agents (Cline CLI, Kilo Code CLI, OpenClaw, Claude
// Code, OpenCode) installed from the npm registry into a cache outside the repository
// (scripts/clients/install.ts), each driven headless through the router in front of a vLLM fake with
// a 32k context: a plain answer and a tool round trip (the agent's own read tool on a file in its
// working directory) on each face the agent speaks. Each run has a home of its own and the agent's
// telemetry and update switches off (test/e2e/clients/drivers.ts). Without the registry and without a
// cached install, the suite is skipped with one line.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRouterConfig } from "../../router/config/schema.js";
import { Router } from "../../router/server.js";
import { CLIENTS, ensureClient, isInstalled, registryReachable, type ClientName, type Installed } from "../../scripts/clients/install.js";
import { runBounded } from "../../scripts/lib/child.js";
import { startFakeEngine, type FakeEngine } from "../../tools/fakes/index.js";
import { DRIVERS, type Face } from "./clients/drivers.js";
import { FILE_TEXT, FINAL_ANSWER, PLAIN_ANSWER, READ_ASK, scriptedReply } from "./clients/scripted.js";

const ALIAS = "coder";
/** One agent run's hard limit; OpenClaw, the slowest to start, takes about a minute on a busy 2-core machine. */
const RUN_TIMEOUT_MS = 240_000;
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const CONTEXT = 32_768;

const names = Object.keys(DRIVERS) as ClientName[];
const cached = names.every((n) => isInstalled(CLIENTS[n]));
const reachable = cached || (await registryReachable());
if (!reachable) process.stderr.write("[clients] skipped: the npm registry cannot be reached and the clients are not in the cache\n");

interface Line {
  msg: string;
  path?: string;
  status?: number;
  key?: string;
}

type Kind = "plain" | "tool";
/** Each run has a key of its own, so its access lines can be told apart while runs overlap. */
const runKey = (name: string, face: Face, kind: Kind): string => `${name}-${face}-${kind}`;
const secretOf = (keyName: string): string => `aistack-e2e-${keyName}`;
const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");
const runKeys = names.flatMap((n) => DRIVERS[n].faces.flatMap((f) => (["plain", "tool"] as const).map((k) => runKey(n, f, k))));

/** The paths an agent on each face may use: inference, token counts and model lists. */
const FACE_PATHS: Record<Face, RegExp> = {
  openai: /^\/api\/v1\/(chat\/completions|completions|models)$/,
  anthropic: /^\/api(\/v1)?\/messages(\/count_tokens)?$/,
};

describe.skipIf(!reachable)("real clients through the router", () => {
  const work = mkdtempSync(join(tmpdir(), "aistack-clients-"));
  const project = join(work, "project");
  const secretFile = join(project, "secret.txt");
  const logs: string[] = [];
  const timings: string[] = [];
  let engine: FakeEngine;
  let router: Router;
  let url: string;

  beforeAll(async () => {
    mkdirSync(project, { recursive: true });
    writeFileSync(secretFile, FILE_TEXT);
    engine = await startFakeEngine({ engine: "vllm", models: ["Qwen3-Coder"], contextLength: CONTEXT, reply: scriptedReply(secretFile) });
    const parsed = parseRouterConfig({
      listen: { host: "127.0.0.1", port: 0 },
      backends: { spark: { engine: "vllm", url: engine.url } },
      aliases: { [ALIAS]: { targets: [{ backend: "spark", model: "Qwen3-Coder" }] } },
      apiKeys: runKeys.map((name) => ({ name, sha256: sha256(secretOf(name)), aliases: [ALIAS] })),
      health: { intervalMs: 200, timeoutMs: 1_000, maxIntervalMs: 1_000 },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    router = new Router({ config: parsed.config, logSink: (l) => logs.push(l) });
    url = await router.listen(0, "127.0.0.1");
    // The context must be known before the first request, or nothing is fitted into it.
    while (router.registry.get("spark")?.contextLength("Qwen3-Coder", undefined) === undefined) await new Promise((r) => setTimeout(r, 50));
  });

  afterAll(async () => {
    await router?.close(0);
    await engine?.stop();
    process.stderr.write(`[clients] runs:\n${timings.join("\n")}\n`);
    rmSync(work, { recursive: true, force: true });
  });

  /** Runs the agent once; returns its output and the router's access lines written meanwhile. */
  async function drive(name: ClientName, installed: Installed, face: Face, kind: Kind): Promise<{ output: string; lines: Line[] }> {
    const home = mkdtempSync(join(work, `${name}-${face}-${kind}-`));
    const keyName = runKey(name, face, kind);
    const prompt = kind === "tool" ? READ_ASK : "Say hello.";
    const spec = DRIVERS[name].run({ router: url, key: secretOf(keyName), alias: ALIAS, face, prompt, cwd: project, home, installed });
    const logFile = join(home, "output.log");
    const started = performance.now();
    const r = await runBounded(spec.command, spec.args, { env: spec.env, cwd: project, timeoutMs: RUN_TIMEOUT_MS, logFile });
    const output = readFileSync(logFile, "utf8");
    timings.push(`  ${keyName}: ${((performance.now() - started) / 1000).toFixed(1)} s, exit ${r.code ?? r.signal}`);
    expect(r.timedOut, `${name} did not finish within ${RUN_TIMEOUT_MS / 1000} s:\n${output.slice(-3000)}`).toBe(false);
    expect(r.code, `${name} failed:\n${output.slice(-3000)}`).toBe(0);
    const lines = logs.map((l) => JSON.parse(l) as Line).filter((l) => l.msg === "request" && l.key === keyName);
    return { output, lines };
  }

  /** Every request the agent made was on its face's paths and answered without an error. */
  function onFace(lines: Line[], face: Face): void {
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      expect(l.path, JSON.stringify(l)).toMatch(FACE_PATHS[face]);
      expect(l.status, JSON.stringify(l)).toBe(200);
    }
  }

  for (const name of names) {
    // A client's runs overlap: most of an agent's time is its own start-up, not CPU.
    describe.concurrent(name, () => {
      let installed: Installed;
      beforeAll(async () => {
        installed = await ensureClient(name);
      }, INSTALL_TIMEOUT_MS);

      for (const face of DRIVERS[name].faces) {
        it(
          `${face} face: a plain answer`,
          async () => {
            const { output, lines } = await drive(name, installed, face, "plain");
            expect(output).toContain(PLAIN_ANSWER);
            onFace(lines, face);
          },
          RUN_TIMEOUT_MS + 10_000,
        );

        it(
          `${face} face: a tool round trip`,
          async () => {
            const { output, lines } = await drive(name, installed, face, "tool");
            // The fake answers this only once the file's content came back as the agent's tool result.
            expect(output).toContain(FINAL_ANSWER);
            onFace(lines, face);
          },
          RUN_TIMEOUT_MS + 10_000,
        );
      }
    });
  }

  it("no agent request was refused, authenticated or not", () => {
    const refused = logs.map((l) => JSON.parse(l) as Line).filter((l) => l.msg === "request" && (l.status ?? 0) >= 400);
    expect(refused).toEqual([]);
  });
});
