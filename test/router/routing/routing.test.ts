// Target choice against single-slot Ollama fakes on loopback: what the router sent counts between
// probes, a backend's queue serves the model it holds before swapping, and the `first` policy is the
// naive baseline. Probes are slowed to one at start, so only the router's own bookkeeping can know.
import { describe, expect, it } from "vitest";
import type { RouterConfigInput } from "../../../router/config/schema.js";
import { config, routerFixture, until, untilModelsKnown, type Running } from "../harness.js";

const quietHealth = { intervalMs: 60_000, timeoutMs: 1_000, maxIntervalMs: 60_000 };
const ask = (model: string, text = "hello"): { model: string; messages: { role: "user"; content: string }[] } => ({
  model,
  messages: [{ role: "user", content: text }],
});
const served = async (run: Running, alias: string): Promise<string | null> =>
  (await run.client().chat.completions.create(ask(alias)).withResponse()).response.headers.get("x-router-backend");

describe("routing between probes", () => {
  const fx = routerFixture();

  async function twoOllamas(routing: RouterConfigInput["routing"]) {
    // Both hold `a` at start; `b` lives on o1 only.
    const o1 = await fx.fake({ engine: "ollama", models: ["a", "b"], loaded: ["a"] });
    const o2 = await fx.fake({ engine: "ollama", models: ["a", "b"], loaded: ["a"] });
    const run = await fx.router(
      config({
        backends: { o1: { engine: "ollama", url: o1.url, maxConcurrency: 1 }, o2: { engine: "ollama", url: o2.url, maxConcurrency: 1 } },
        aliases: {
          ay: {
            targets: [
              { backend: "o1", model: "a" },
              { backend: "o2", model: "a" },
            ],
          },
          bee: { targets: [{ backend: "o1", model: "b" }] },
        },
        health: quietHealth,
        ...(routing ? { routing } : {}),
      }),
    );
    await untilModelsKnown(run);
    return { o1, o2, run };
  }

  it("knows the model it sent took another's place, and sends that other model where it still is", async () => {
    const { o1, o2, run } = await twoOllamas(undefined);
    expect(await served(run, "bee")).toBe("o1");
    // The last probe still says o1 holds `a`; the router knows it sent `b` there since.
    expect(await served(run, "ay")).toBe("o2");
    expect(o1.stats.loadsStarted).toBe(1);
    expect(o2.stats.loadsStarted).toBe(0);
  });

  it("without residency tracking, trusts the stale probe and makes o1 swap back", async () => {
    const { o1, run } = await twoOllamas({ trackResidency: false });
    expect(await served(run, "bee")).toBe("o1");
    expect(await served(run, "ay")).toBe("o1");
    expect(o1.stats.loadsStarted).toBe(2);
  });

  it("with the first policy, always starts with the first target, warm or not", async () => {
    const { o1, run } = await twoOllamas({ policy: "first" });
    expect(await served(run, "bee")).toBe("o1");
    expect(await served(run, "ay")).toBe("o1");
    expect(o1.stats.loadsStarted).toBe(2);
  });
});

describe("batching per model", () => {
  const fx = routerFixture();

  async function queueMixed(routing: RouterConfigInput["routing"]): Promise<{ order: string[]; loads: number }> {
    // One single-slot Ollama holding `a`; the first request keeps it busy while three more queue:
    // b, a, a. Batching serves the two a's before making it swap to b.
    const o = await fx.fake({ engine: "ollama", models: ["a", "b"], loaded: ["a"], chunkDelayMs: 15, reply: () => ({ content: "t ".repeat(40) }) });
    const run = await fx.router(
      config({
        backends: { o: { engine: "ollama", url: o.url, maxConcurrency: 1 } },
        aliases: { ay: { targets: [{ backend: "o", model: "a" }] }, bee: { targets: [{ backend: "o", model: "b" }] } },
        health: quietHealth,
        ...(routing ? { routing } : {}),
      }),
    );
    await untilModelsKnown(run);
    await o.idle();
    const client = run.client();
    const order: string[] = [];
    const go = (alias: string, tag: string): Promise<void> => client.chat.completions.create(ask(alias, tag)).then(() => void order.push(tag));
    const queued = (n: number): Promise<void> => until(() => run.router.registry.get("o")?.slots.queued === n, `${n} queued`);
    const first = go("ay", "a0");
    await until(() => o.stats.activeGenerations === 1, "a0 generating");
    const rest = [go("bee", "b1")];
    await queued(1);
    rest.push(go("ay", "a2"));
    await queued(2);
    rest.push(go("ay", "a3"));
    await queued(3);
    await Promise.all([first, ...rest]);
    return { order, loads: o.stats.loadsStarted };
  }

  it("serves queued requests for the resident model before swapping", async () => {
    expect(await queueMixed(undefined)).toEqual({ order: ["a0", "a2", "a3", "b1"], loads: 1 });
  });

  it("is first come first served without it, with a swap there and back", async () => {
    expect(await queueMixed({ batchPerModel: false })).toEqual({ order: ["a0", "b1", "a2", "a3"], loads: 2 });
  });
});
