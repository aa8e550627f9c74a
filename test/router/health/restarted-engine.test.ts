// An engine that crashed and was started again: refused connections eject it like other failures,
// but a probe that answers afterwards lifts that ejection at once, and a backend that refuses is
// probed at the usual interval, so the restarted engine takes traffic again within one probe.
import { describe, expect, it } from "vitest";
import { freshPassive } from "../../../router/backends/admission.js";
import { liftByProbe, recordOutcome } from "../../../router/health/passive.js";
import { nextInterval } from "../../../router/health/schedule.js";
import { config, routerFixture, until, untilAllUp } from "../harness.js";

const policy = { consecutiveFailures: 2, baseMs: 30_000, maxMs: 300_000, jitter: 0, busyMs: 2_000 };

describe("refused connections", () => {
  it("eject, and a passing probe lifts that ejection before its time when the latest failure was a refusal", () => {
    const s = freshPassive();
    recordOutcome(s, "failure", 0, policy, 0.5);
    expect(recordOutcome(s, "refused", 0, policy, 0.5)).toBe(true);
    liftByProbe(s, 1_000);
    expect(s.ejected).toBe(false);
  });

  it("do not shorten an ejection whose latest failure had an answer (the engine misbehaved)", () => {
    const s = freshPassive();
    recordOutcome(s, "refused", 0, policy, 0.5);
    recordOutcome(s, "failure", 0, policy, 0.5);
    liftByProbe(s, 1_000);
    expect(s.ejected).toBe(true);
    liftByProbe(s, 30_000);
    expect(s.ejected).toBe(false);
  });

  it("keep the probe interval from doubling while the backend is down", () => {
    const t = { intervalMs: 5_000, timeoutMs: 2_000, maxIntervalMs: 60_000 };
    expect(nextInterval("down", 20_000, t, true)).toBe(5_000);
    expect(nextInterval("down", 20_000, t, false)).toBe(40_000);
  });
});

describe("an engine killed and started again", () => {
  const fx = routerFixture();

  it("takes traffic again at the first probe that answers, not after the ejection's time", async () => {
    const a = await fx.fake({ engine: "vllm", models: ["m"] });
    const b = await fx.fake({ engine: "vllm", models: ["m"] });
    const run = await fx.router(
      config({
        backends: { a: { engine: "vllm", url: a.url }, b: { engine: "vllm", url: b.url } },
        aliases: {
          m: {
            targets: [
              { backend: "a", model: "m" },
              { backend: "b", model: "m" },
            ],
          },
        },
        // One refusal ejects for a minute: far beyond the wait below. Probes every second, so the
        // request right after the kill finds a still marked up and is refused there first.
        ejection: { consecutiveFailures: 1, baseMs: 60_000, maxMs: 60_000, jitter: 0 },
        health: { intervalMs: 1_000, timeoutMs: 500, maxIntervalMs: 8_000 },
      }),
    );
    await untilAllUp(run);
    await a.kill();
    // Two conversations: session affinity would keep one conversation on b, where it went.
    const ask = (text: string) => ({ model: "m", messages: [{ role: "user" as const, content: text }] });
    const during = await run.client().chat.completions.create(ask("during")).withResponse();
    expect(during.response.headers.get("x-router-backend")).toBe("b");
    const backendA = run.router.registry.get("a");
    expect(backendA?.passive.ejected).toBe(true);
    await a.restart();
    await until(() => backendA?.health === "up" && backendA.passive.ejected === false, "a back in rotation");
    const after = await run.client().chat.completions.create(ask("after")).withResponse();
    expect(after.response.headers.get("x-router-backend")).toBe("a");
  });
});
