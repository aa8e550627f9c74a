// What an engine crash looks like from outside, on an engine of its own (the shared one keeps
// its load state for the other files): connection refused while down; after a restart on the same
// port the models are still installed and nothing is loaded.

import { afterAll, describe, expect, it } from "vitest";
import { stopAll } from "../../scripts/lib/child.js";
import type { OllamaServer } from "../../scripts/e2e/ollama-serve.js";
import { groupAlive, killEngine, restartEngine, startEngine } from "./engine.js";
import { e2eEnv } from "./env.js";
import { eventually, getJson, postJson } from "./http.js";

const env = e2eEnv();
const [modelA] = env.models;

async function loadedNames(url: string): Promise<string[]> {
  const body = (await getJson(`${url}/api/ps`)).body as { models: Array<{ name: string }> };
  return body.models.map((m) => m.name);
}

describe.sequential("Ollama killed and restarted", () => {
  let server: OllamaServer;
  let started: Awaited<ReturnType<typeof startEngine>>;

  afterAll(async () => {
    await stopAll();
  });

  it("SIGKILL takes down serve and its runner at once; the port then refuses connections", async () => {
    started = await startEngine(env, "restart");
    server = started.server;
    const reply = await postJson(`${server.url}/api/chat`, {
      model: modelA,
      stream: false,
      messages: [{ role: "user", content: "hi" }],
      options: { num_predict: 2 },
    });
    expect(reply.status).toBe(200);
    expect(await loadedNames(server.url)).toEqual([`${modelA}:latest`]);

    const pid = server.proc.child.pid ?? 0;
    killEngine(pid);
    await eventually("the engine's process group to be gone", () => Promise.resolve(groupAlive(pid) ? undefined : true), 10_000);
    await expect(fetch(`${server.url}/api/version`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  });

  it("a restart on the same port lists the same models, has nothing loaded, and serves", async () => {
    const again = await restartEngine(started.options, server.url);
    expect(again.url).toBe(server.url);
    const tags = (await getJson(`${again.url}/api/tags`)).body as { models: Array<{ name: string }> };
    expect(tags.models.map((m) => m.name).sort()).toEqual(env.models.map((m) => `${m}:latest`).sort());
    expect(await loadedNames(again.url)).toEqual([]);
    const reply = await postJson(`${again.url}/api/chat`, {
      model: modelA,
      stream: false,
      messages: [{ role: "user", content: "hi" }],
      options: { num_predict: 2 },
    });
    expect(reply.body).toMatchObject({ done: true, done_reason: "length" });
  });
});
