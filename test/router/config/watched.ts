// A router in front of one vLLM fake (alias `coder` → backend `a`, model `m`), with a watcher on a
// config file in a temporary directory that nothing has written yet; `close` stops and removes all.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfigFile, type FileLoad } from "../../../router/config/load.js";
import { ConfigWatcher } from "../../../router/config/watch.js";
import { startFakeEngine, type FakeEngine } from "../../../tools/fakes/index.js";
import { config, startRouter, type Running } from "../reliability/harness.js";

export interface Watched {
  vllm: FakeEngine;
  run: Running;
  file: string;
  watcher: ConfigWatcher;
  close(): Promise<void>;
}

export async function watchedRouter(): Promise<Watched> {
  const vllm = await startFakeEngine({ engine: "vllm", models: ["m"] });
  const run = await startRouter(
    config({ backends: { a: { engine: "vllm", url: vllm.url } }, aliases: { coder: { targets: [{ backend: "a", model: "m" }] } } }),
  );
  const dir = await mkdtemp(join(tmpdir(), "aistack-watched-"));
  const file = join(dir, "router.json");
  const watcher = new ConfigWatcher(file, run.router.configHandlers());
  return {
    vllm,
    run,
    file,
    watcher,
    async close() {
      watcher.stop();
      await run.stop();
      await vllm.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Config text loaded as the router loads its file: written to a temporary file, read back. */
export async function loadText(text: string): Promise<FileLoad> {
  const dir = await mkdtemp(join(tmpdir(), "aistack-config-"));
  try {
    const file = join(dir, "router.json");
    await writeFile(file, text);
    return await loadConfigFile(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
