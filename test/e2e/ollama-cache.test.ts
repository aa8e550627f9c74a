// What Ollama does with its slots' caches, on an engine of its own with two slots
// (OLLAMA_NUM_PARALLEL=2) and its debug log on: the runner logs, for each request, the slot it took
// and how much of the prompt came from that slot's cache (`loading cache slot ... used=U
// remaining=R`, runner/llamarunner/cache.go). Session affinity (router/routing/affinity.ts) and W8
// rest on these facts (scripts/e2e/FACTS.md, "Slots and prompt caches").
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { stopAll } from "../../scripts/lib/child.js";
import type { OllamaServer } from "../../scripts/e2e/ollama-serve.js";
import { startEngine } from "./engine.js";
import { e2eEnv } from "./env.js";
import { eventually, postJson } from "./http.js";

const env = e2eEnv();
const [model] = env.models;

interface SlotLine {
  id: number;
  prompt: number;
  used: number;
  remaining: number;
}

function slotLines(log: string): SlotLine[] {
  const text = readFileSync(log, "utf8");
  return [...text.matchAll(/loading cache slot" id=(\d+) cache=\d+ prompt=(\d+) used=(\d+) remaining=(\d+)/g)].map((m) => ({
    id: Number(m[1]),
    prompt: Number(m[2]),
    used: Number(m[3]),
    remaining: Number(m[4]),
  }));
}

describe.sequential("Ollama's slots and prompt caches", () => {
  let server: OllamaServer;
  const system = `You are terse. ${"rules ".repeat(40)}`;
  const conversation = [
    { role: "system", content: system },
    { role: "user", content: "first task: read the file" },
  ];

  afterAll(async () => {
    await stopAll();
  });

  /** Requests so far: the runner's log reaches serve's log a moment after the answer. */
  let sent = 0;
  async function chat(messages: { role: string; content: string }[]): Promise<{ count: number; line: SlotLine }> {
    const r = await postJson(`${server.url}/api/chat`, { model, stream: false, messages, options: { num_predict: 2 } });
    expect(r.status).toBe(200);
    sent++;
    const lines = await eventually(
      "the runner's cache-slot line",
      () => {
        const l = slotLines(server.logFile);
        return Promise.resolve(l.length >= sent ? l : undefined);
      },
      10_000,
    );
    expect(lines).toHaveLength(sent);
    return { count: (r.body as { prompt_eval_count: number }).prompt_eval_count, line: lines[sent - 1] as SlotLine };
  }

  it("a repeated prompt comes from the cache, but prompt_eval_count still counts all of it", async () => {
    server = (await startEngine(env, "slots", { numParallel: 2, debug: true })).server;
    const first = await chat(conversation);
    expect(first.line.used).toBe(0);
    const again = await chat(conversation);
    expect(again.count).toBe(first.count);
    expect(again.line.prompt).toBe(first.count);
    // All but the last token, which is evaluated again to sample from.
    expect(again.line.used).toBe(first.count - 1);
    expect(again.line.remaining).toBe(1);
  });

  it("a new conversation takes the slot sharing the longest prefix, passing over an empty slot", async () => {
    const other = await chat([{ role: "user", content: "something else entirely" }]);
    // Slot 1 is empty; slot 0's cache shares the chat template's first tokens, so slot 0 is taken.
    expect(other.line.id).toBe(0);
    expect(other.line.used).toBeGreaterThan(0);
    // The first conversation's cache is gone: its next turn reads all but that shared opening again.
    const back = await chat(conversation);
    expect(back.line.used).toBeLessThan(back.line.prompt / 2);
  });
});
