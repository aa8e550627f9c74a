// The fake upstream as a real process on loopback: answers, streams, and accounts for a client
// that leaves mid-stream, which is what W5's leak and delay numbers rest on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { disconnectOnce, postConcurrently, streamOnce } from "../../../scripts/bench/client.js";
import type { StreamTarget } from "../../../scripts/bench/client.js";
import { probe } from "../../../scripts/bench/procs.js";
import { killAll, start, stop, waitUntil, type Started } from "../../../scripts/lib/child.js";

const here = dirname(fileURLToPath(import.meta.url));
let upstream: Started;
let port = 0;
let controlPort = 0;

beforeAll(async () => {
  upstream = start(process.execPath, ["--import", "tsx", join(here, "../../../scripts/bench/upstream.ts")], { cwd: join(here, "../../..") });
  await waitUntil(
    upstream,
    () => {
      const m = /\{"port":(\d+),"controlPort":(\d+)\}/.exec(upstream.output());
      if (m) [port, controlPort] = [Number(m[1]), Number(m[2])];
      return Promise.resolve(m !== null);
    },
    20_000,
    "upstream",
  );
});

afterAll(async () => {
  await stop(upstream.child);
  killAll();
});

const target = (): StreamTarget => ({
  url: `http://127.0.0.1:${port}/v1/chat/completions`,
  headers: { "content-type": "application/json" },
  body: (text) => JSON.stringify({ model: "bench", stream: true, messages: [{ role: "user", content: text }] }),
});

async function closes(ids: string[]): Promise<Record<string, unknown>> {
  const r = await probe(`http://127.0.0.1:${controlPort}/closes`, { method: "POST", body: JSON.stringify(ids) });
  return JSON.parse(r.body) as Record<string, unknown>;
}

describe("fake upstream", () => {
  it("answers a non-streamed chat completion with OpenAI JSON", async () => {
    const r = await probe(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "bench", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ object: "chat.completion", choices: [{ message: { content: "pong" } }] });
  });

  it("answers W7's large bodies, several at once, without keeping them", async () => {
    const payload = Buffer.from(JSON.stringify({ model: "bench", messages: [{ role: "user", content: "x".repeat(3_000_000) }] }));
    const r = await postConcurrently(`http://127.0.0.1:${port}/v1/chat/completions`, { "content-type": "application/json" }, payload, 3, 20_000);
    expect(r).toEqual({ statuses: [200, 200, 200], failed: 0, firstError: undefined });
  });

  it("streams the asked number of chunks and ends with [DONE]", async () => {
    const t = await streamOnce(target(), "bench chunks=5 pace=1 id=full-1", false, 10_000, true);
    expect(t.status).toBe(200);
    expect(t.complete).toBe(true);
    expect(t.gapsMs.length).toBeGreaterThanOrEqual(1);
    await expect(closes(["full-1"])).resolves.toMatchObject({ "full-1": { aborted: false } });
  });

  it("records a client that leaves mid-stream as an aborted close", async () => {
    const d = await disconnectOnce(target(), "gone-1", 1000, 20);
    expect(d.leftAtNs).toBeDefined();
    await waitUntil(upstream, async () => (await closes(["gone-1"]))["gone-1"] !== "open", 10_000, "close");
    const c = (await closes(["gone-1"]))["gone-1"] as { aborted: boolean; closedAtNs: string };
    expect(c.aborted).toBe(true);
    expect(BigInt(c.closedAtNs)).toBeGreaterThanOrEqual(d.leftAtNs!);
    const stats = JSON.parse((await probe(`http://127.0.0.1:${controlPort}/stats`, {})).body) as Record<string, number>;
    expect(stats).toMatchObject({ open: 0, aborted: 1, completed: 1 });
  });
});
