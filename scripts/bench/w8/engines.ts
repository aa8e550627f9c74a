// W8's engines: real Ollama servers (the e2e build, scripts/e2e/ollama.ts) on loopback, each with the
// same generated model, and what their runners log about each request's cache slot. Ollama's
// prompt_eval_count is the whole prompt even when most of it came from the cache (runner/llamarunner:
// numPromptInputs is set before the cache slot is loaded), so the tokens an engine really evaluated
// are read from its runner's debug line `loading cache slot ... prompt=P used=U remaining=R`
// (runner/llamarunner/cache.go), R being what it evaluated.
import { readFileSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { encodeGguf } from "../../e2e/gguf.js";
import { startOllama, tinyModelfile, type OllamaServer } from "../../e2e/ollama-serve.js";
import { tinyLlamaModel } from "../../e2e/tiny-model.js";
import { runBounded } from "../../lib/child.js";
import { onPath } from "../../e2e-infra/toolchain.js";
import type { W8Plan } from "./plan.js";

export const W8_MODEL = "w8";

export interface W8Server {
  name: string;
  numParallel: number;
  /** The CPU it is pinned to, if any. */
  cpu: number | undefined;
  server: OllamaServer;
}

/** One cache-slot line of a runner's log. */
export interface SlotLine {
  prompt: number;
  used: number;
  remaining: number;
}

async function ollamaChat(url: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await fetch(`${url}/api/chat`, { method: "POST", body: JSON.stringify({ model: W8_MODEL, stream: false, ...body }) });
  if (r.status !== 200) throw new Error(`${url} /api/chat answered ${r.status}: ${await r.text()}`);
  return (await r.json()) as Record<string, unknown>;
}

/** Starts the servers, writes the model once and registers it on each, and loads it. */
export async function startW8Servers(binary: string, workDir: string, plan: W8Plan): Promise<W8Server[]> {
  const gguf = join(workDir, "w8.gguf");
  mkdirSync(workDir, { recursive: true });
  writeFileSync(gguf, encodeGguf(tinyLlamaModel({ seed: plan.seed, name: W8_MODEL, contextLength: plan.model.numCtx, ...plan.model })));
  const modelfile = join(workDir, "w8.Modelfile");
  writeFileSync(modelfile, `${tinyModelfile(gguf)}PARAMETER num_ctx ${plan.model.numCtx}\nPARAMETER num_predict ${plan.model.numPredict}\n`);
  const out: W8Server[] = [];
  // Each server on a core of its own, as on separate hosts, when there are enough (taskset, util-linux).
  const pin = availableParallelism() >= plan.engines.length && onPath("taskset") !== undefined;
  try {
    for (const e of plan.engines) {
      const dir = join(workDir, e.name);
      const server = await startOllama({
        binary,
        workDir: dir,
        keepAlive: "2h",
        maxLoadedModels: 1,
        numParallel: e.numParallel,
        debug: true,
        ...(pin ? { cpus: String(e.cpu) } : {}),
      });
      out.push({ name: e.name, numParallel: e.numParallel, cpu: pin ? e.cpu : undefined, server });
      const r = await runBounded(binary, ["create", W8_MODEL, "-f", modelfile], {
        cwd: dir,
        env: server.env,
        timeoutMs: 180_000,
        logFile: join(dir, "create.log"),
      });
      if (r.code !== 0) throw new Error(`ollama create on ${e.name} failed; see ${join(dir, "create.log")}`);
    }
    await emptyCaches(out);
  } catch (err) {
    await Promise.all(out.map((s) => s.server.stop()));
    throw err;
  }
  return out;
}

/**
 * Every system starts from the same state: the model loaded, every slot's cache empty. Unloading the
 * model (keep_alive 0) ends its runner and its caches; a one-token request loads it again.
 */
export async function emptyCaches(servers: readonly W8Server[]): Promise<void> {
  for (const s of servers) {
    await fetch(`${s.server.url}/api/generate`, { method: "POST", body: JSON.stringify({ model: W8_MODEL, keep_alive: 0 }) });
    for (let i = 0; i < 100; i++) {
      const ps = (await (await fetch(`${s.server.url}/api/ps`)).json()) as { models?: unknown[] };
      if ((ps.models ?? []).length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await ollamaChat(s.server.url, { messages: [{ role: "user", content: "." }], options: { num_predict: 1 } });
  }
}

/** Seconds the engine takes to evaluate a prompt of `tokens` tokens it has not seen, from its own timings. */
export async function prefillSeconds(s: W8Server, tokens: number, seed: number): Promise<number> {
  let content = `calibration ${seed} `;
  while (content.length < tokens) content += `${(content.length * 7919) % 10007} `;
  const r = await ollamaChat(s.server.url, { messages: [{ role: "user", content: content.slice(0, tokens) }], options: { num_predict: 1 } });
  return Number(r.prompt_eval_duration) / 1e9;
}

/** Where each server's log is now, to read only what a system's run adds. */
export function logOffsets(servers: readonly W8Server[]): Map<string, number> {
  return new Map(servers.map((s) => [s.name, statSync(s.server.logFile).size]));
}

const SLOT_LINE = /msg="loading cache slot".*?\bprompt=(\d+) used=(\d+) remaining=(\d+)/;

/** The cache-slot lines each server logged since `from`, in order. */
export function slotLines(servers: readonly W8Server[], from: Map<string, number>): Map<string, SlotLine[]> {
  const out = new Map<string, SlotLine[]>();
  for (const s of servers) {
    const text = readFileSync(s.server.logFile)
      .subarray(from.get(s.name) ?? 0)
      .toString("utf8");
    const lines: SlotLine[] = [];
    for (const l of text.split("\n")) {
      const m = SLOT_LINE.exec(l);
      if (m) lines.push({ prompt: Number(m[1]), used: Number(m[2]), remaining: Number(m[3]) });
    }
    out.set(s.name, lines);
  }
  return out;
}
