// Runs `ollama serve` on a loopback ephemeral port with everything it writes inside one temp
// directory, and registers the tiny models with `ollama create`.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeGguf } from "./gguf.js";
import { DEFAULT_TINY_MODEL, tinyLlamaModel } from "./tiny-model.js";
import { freePort, runBounded, start, waitForHttp, type Started } from "../lib/child.js";

export interface OllamaServeOptions {
  binary: string;
  /** A fresh temp directory; models, HOME (Ollama writes ~/.ollama keys) and the log go here. */
  workDir: string;
  keepAlive: string;
  maxLoadedModels: number;
  numParallel: number;
  /** Reuse a port, e.g. to restart the engine where a router already points; ephemeral by default. */
  port?: number;
  /** OLLAMA_DEBUG=1: the runner logs each request's cache slot (the bench's W8 reads it). */
  debug?: boolean;
  /** CPUs the server and its runner may use (`taskset -c`, inherited by the runner it starts); any by default. */
  cpus?: string;
}

export interface OllamaServer {
  url: string;
  logFile: string;
  modelsDir: string;
  env: NodeJS.ProcessEnv;
  proc: Started;
  stop(): Promise<void>;
}

/** The server's environment; Ollama's knobs are documented in envconfig/config.go and docs/faq.md. */
function ollamaServeEnv(opts: OllamaServeOptions, port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: join(opts.workDir, "home"),
    OLLAMA_HOST: `127.0.0.1:${port}`,
    OLLAMA_MODELS: join(opts.workDir, "models"),
    OLLAMA_KEEP_ALIVE: opts.keepAlive,
    OLLAMA_MAX_LOADED_MODELS: String(opts.maxLoadedModels),
    OLLAMA_NUM_PARALLEL: String(opts.numParallel),
    // Local models only: no cloud model listing or forwarding (envconfig: OLLAMA_NO_CLOUD).
    OLLAMA_NO_CLOUD: "1",
    ...(opts.debug ? { OLLAMA_DEBUG: "1" } : process.env.OLLAMA_DEBUG ? { OLLAMA_DEBUG: process.env.OLLAMA_DEBUG } : {}),
  };
}

export async function startOllama(opts: OllamaServeOptions): Promise<OllamaServer> {
  const port = opts.port ?? (await freePort());
  const env = ollamaServeEnv(opts, port);
  mkdirSync(env.HOME as string, { recursive: true });
  mkdirSync(env.OLLAMA_MODELS as string, { recursive: true });
  const logFile = join(opts.workDir, "ollama.log");
  // taskset execs the server in its own place: the process stopped is the server itself.
  const [cmd, args] = opts.cpus === undefined ? [opts.binary, ["serve"]] : ["taskset", ["-c", opts.cpus, opts.binary, "serve"]];
  const proc = start(cmd, args, { env, logFile, graceMs: 10_000 });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(proc, `${url}/api/version`, 60_000, "ollama serve");
  return { url, logFile, modelsDir: env.OLLAMA_MODELS as string, env, proc, stop: () => proc.stop() };
}

/**
 * A chat template Ollama accepts (Go text/template over .Messages, as in Ollama's docs/template.md).
 * The role markers are plain text: the byte-level vocabulary has no special tokens for them.
 */
const TINY_TEMPLATE = `{{- range .Messages }}<|{{ .Role }}|>
{{ .Content }}
{{ end }}<|assistant|>
`;

/** Replies stay short unless a request asks for more (the model never stops on its own). */
const TINY_NUM_PREDICT = 24;

export function tinyModelfile(ggufFile: string): string {
  return [
    `FROM ${ggufFile}`,
    `TEMPLATE """${TINY_TEMPLATE}"""`,
    `PARAMETER num_predict ${TINY_NUM_PREDICT}`,
    // One thread: on a busy 2-core machine ggml's worker threads spin at barriers, and a model
    // this small ran ~250x slower with 2 threads than with 1 (measured with options.num_thread).
    "PARAMETER num_thread 1",
    "",
  ].join("\n");
}

/** Writes one GGUF per name (distinct seeds, so distinct blobs) and registers each with `ollama create`. */
export async function createTinyModels(binary: string, server: OllamaServer, workDir: string, names: readonly string[]): Promise<void> {
  const dir = join(workDir, "gguf");
  mkdirSync(dir, { recursive: true });
  for (const [i, name] of names.entries()) {
    const gguf = join(dir, `${name}.gguf`);
    writeFileSync(gguf, encodeGguf(tinyLlamaModel({ ...DEFAULT_TINY_MODEL, seed: 1000 + i, name })));
    const modelfile = join(dir, `${name}.Modelfile`);
    writeFileSync(modelfile, tinyModelfile(gguf));
    const r = await runBounded(binary, ["create", name, "-f", modelfile], {
      cwd: dir,
      env: server.env,
      timeoutMs: 120_000,
      logFile: join(workDir, "create.log"),
    });
    if (r.code !== 0) throw new Error(`ollama create ${name} failed${r.timedOut ? " (timed out)" : ""}; see ${join(workDir, "create.log")}`);
  }
}
