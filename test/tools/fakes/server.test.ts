// A fake engine's lifecycle (tools/fakes/server.ts): kill, restart, stop.
import { afterEach, describe, expect, it } from "vitest";
import { startFakeEngine } from "../../../tools/fakes/index.js";
import { fake, post, waitFor, chat, stopFakes } from "./harness.js";

afterEach(stopFakes);

describe("lifecycle", () => {
  it("kill cuts a running stream, counts the abort, and restart serves on the same port", async () => {
    const e = await fake({ engine: "ollama", models: ["m"], loaded: ["m"], chunkDelayMs: 10, reply: () => ({ content: "x ".repeat(200) }) });
    const res = await post(`${e.url}/api/chat`, chat("m", "go"));
    const reader = res.body!.getReader();
    await reader.read();
    await e.kill();
    await expect(
      (async () => {
        for (;;) {
          const r = await reader.read();
          if (r.done) return;
        }
      })(),
    ).rejects.toThrow();
    await waitFor(() => e.stats.generationsAborted === 1, "abort counted");
    expect(e.stats.openConnections).toBe(0);
    const refused = await fetch(`${e.url}/api/version`).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(Error);
    await e.restart();
    expect(e.loadedModels()).toEqual([]);
    expect((await post(`${e.url}/api/chat`, chat("m", "again", { stream: false }))).status).toBe(200);
  });

  it("stop leaves no open connections", async () => {
    const e = await startFakeEngine({ engine: "vllm", models: ["m"] });
    await fetch(`${e.url}/v1/models`);
    await e.stop();
    expect(e.stats.openConnections).toBe(0);
  });
});
