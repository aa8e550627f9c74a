// Runs one engine fake as a process, for soak and bench scripts:
//   tsx tools/fakes/cli.ts --engine ollama --port 0 --models a,b [--loaded a] [--load-delay-ms N] ...
// Prints {"url": ..., "port": ..., "engine": ...} as one JSON line once listening; stops on SIGTERM/SIGINT.
// With an IPC channel, the message "stats" is answered with { stats, loaded }.

import { parseArgs } from "node:util";
import { startFakeEngine } from "./server.js";
import type { FakeEngineKind, FakeEngineOptions } from "./types.js";

const ENGINES: readonly FakeEngineKind[] = ["vllm", "ollama", "llamacpp", "openai"];

export function optionsFromArgs(argv: string[]): FakeEngineOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      engine: { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      models: { type: "string" },
      loaded: { type: "string" },
      "load-delay-ms": { type: "string" },
      "num-parallel": { type: "string" },
      "max-queue": { type: "string" },
      "max-loaded-models": { type: "string" },
      "keep-alive-ms": { type: "string" },
      "context-length": { type: "string" },
      "chunk-delay-ms": { type: "string" },
      "api-key": { type: "string" },
      anthropic: { type: "boolean" },
      gpu: { type: "boolean" },
      "reasoning-field": { type: "string" },
    },
  });
  const engine = values.engine as FakeEngineKind | undefined;
  if (!engine || !ENGINES.includes(engine)) throw new Error(`--engine must be one of ${ENGINES.join(", ")}`);
  const list = (v: string | undefined): string[] | undefined =>
    v
      ?.split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  const num = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${v}`);
    return n;
  };
  const reasoning = values["reasoning-field"];
  if (reasoning !== undefined && reasoning !== "reasoning" && reasoning !== "reasoning_content") {
    throw new Error("--reasoning-field must be reasoning or reasoning_content");
  }
  const options: FakeEngineOptions = { engine, models: list(values.models) ?? ["fake-model"] };
  const set = <K extends keyof FakeEngineOptions>(key: K, value: FakeEngineOptions[K] | undefined): void => {
    if (value !== undefined) options[key] = value;
  };
  set("host", values.host);
  set("port", num("port", values.port));
  set("loaded", list(values.loaded));
  set("loadDelayMs", num("load-delay-ms", values["load-delay-ms"]));
  set("numParallel", num("num-parallel", values["num-parallel"]));
  set("maxQueue", num("max-queue", values["max-queue"]));
  set("maxLoadedModels", num("max-loaded-models", values["max-loaded-models"]));
  set("keepAliveMs", num("keep-alive-ms", values["keep-alive-ms"]));
  set("contextLength", num("context-length", values["context-length"]));
  set("chunkDelayMs", num("chunk-delay-ms", values["chunk-delay-ms"]));
  set("apiKey", values["api-key"]);
  set("anthropic", values.anthropic);
  set("gpu", values.gpu);
  set("reasoningField", reasoning);
  return options;
}

async function main(): Promise<void> {
  let options: FakeEngineOptions;
  try {
    options = optionsFromArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const engine = await startFakeEngine(options);
  process.stdout.write(JSON.stringify({ url: engine.url, port: engine.port, engine: options.engine }) + "\n");
  const shutdown = (): void => {
    void engine.stop().then(() => process.exit(0));
  };
  // A parent that spawned this process with an IPC channel (the soak) may ask for the stats.
  process.on("message", (m) => {
    if (m === "stats") process.send?.({ stats: engine.stats, loaded: engine.loadedModels() });
  });
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

if (import.meta.url === `file://${process.argv[1] ?? ""}`) await main();
