// Session affinity through the router, against two Ollama fakes serving the same model: a
// conversation's next turn goes back to the backend that served its previous turn, where the ranking
// alone would send it elsewhere; a session header keys the conversation; a holder that went down is
// passed over.
import { describe, expect, it } from "vitest";
import type { RouterConfigInput } from "../../../router/config/schema.js";
import { config, routerFixture, until, untilModelsKnown, type Running } from "../harness.js";
import type { FakeEngine } from "../../../tools/fakes/index.js";

const quietHealth = { intervalMs: 60_000, timeoutMs: 1_000, maxIntervalMs: 60_000 };
type Msg = { role: "system" | "user" | "assistant"; content: string };

describe("session affinity", () => {
  const fx = routerFixture();

  async function twoOllamas(routing: RouterConfigInput["routing"] = {}, health: RouterConfigInput["health"] = quietHealth) {
    const fake = (): Promise<FakeEngine> =>
      fx.fake({
        engine: "ollama",
        models: ["a"],
        loaded: ["a"],
        numParallel: 2,
        chunkDelayMs: 5,
        reply: (req) => ({ content: req.lastUserMessage === "long" ? "w ".repeat(300) : "ok" }),
      });
    const o1 = await fake();
    const o2 = await fake();
    const run = await fx.router(
      config({
        backends: { o1: { engine: "ollama", url: o1.url, maxConcurrency: 2 }, o2: { engine: "ollama", url: o2.url, maxConcurrency: 2 } },
        aliases: {
          ay: {
            targets: [
              { backend: "o1", model: "a" },
              { backend: "o2", model: "a" },
            ],
          },
        },
        health,
        routing,
      }),
    );
    await untilModelsKnown(run);
    return { o1, o2, run };
  }

  const send = async (run: Running, messages: Msg[], headers: Record<string, string> = {}): Promise<string | null> =>
    (await run.client().chat.completions.create({ model: "ay", messages }, { headers }).withResponse()).response.headers.get("x-router-backend");

  /** Sends the first turn while o1 is busy with another conversation, so the ranking puts it on o2. */
  async function firstTurnOnO2(o1: FakeEngine, run: Running, messages: Msg[], headers: Record<string, string> = {}): Promise<void> {
    const long = send(run, [{ role: "user", content: "long" }]);
    await until(() => o1.stats.activeGenerations === 1, "o1 busy");
    expect(await send(run, messages, headers)).toBe("o2");
    expect(await long).toBe("o1");
  }

  const turn1: Msg[] = [
    { role: "system", content: "You are a coding agent." },
    { role: "user", content: "fix the failing test" },
  ];
  const turn2: Msg[] = [...turn1, { role: "assistant", content: "ok" }, { role: "user", content: "and now the docs" }];

  it("sends the next turn to the backend that served the previous one", async () => {
    const { o1, run } = await twoOllamas();
    await firstTurnOnO2(o1, run, turn1);
    // Both idle now: the ranking alone would pick o1, the first target.
    expect(await send(run, turn2)).toBe("o2");
    expect(await send(run, [{ role: "user", content: "a new conversation" }])).toBe("o1");
  });

  it("without affinity, the next turn goes where the ranking says", async () => {
    const { o1, run } = await twoOllamas({ affinity: { enabled: false } });
    await firstTurnOnO2(o1, run, turn1);
    expect(await send(run, turn2)).toBe("o1");
  });

  it("keys a conversation by the client's session header", async () => {
    const { o1, run } = await twoOllamas();
    const session = { "x-claude-code-session-id": "3f1c2a9e-0000-4000-8000-000000000001" };
    await firstTurnOnO2(o1, run, turn1, session);
    // Another opening, same session: the same conversation as far as the client says.
    expect(await send(run, [{ role: "user", content: "compacted history" }], session)).toBe("o2");
  });

  it("passes over a holder that is down", async () => {
    const { o1, o2, run } = await twoOllamas({}, { intervalMs: 50, timeoutMs: 500, maxIntervalMs: 200 });
    await firstTurnOnO2(o1, run, turn1);
    await o2.kill();
    await until(() => run.router.registry.get("o2")?.health === "down", "o2 seen down");
    expect(await send(run, turn2)).toBe("o1");
  });
});
