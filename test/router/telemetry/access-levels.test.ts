// An access line is `error` only when a backend or the router failed to serve; an answer the router
// gives by design (a 501 for what it does not support, a drain's 503) is `warn`.
import { describe, expect, it } from "vitest";
import { account } from "../../../router/telemetry/access.js";
import { Logger } from "../../../router/telemetry/log.js";
import { RouterMetrics } from "../../../router/telemetry/metrics.js";
import { config, routerFixture, until, untilAllUp } from "../harness.js";

type Level = { level: string; status: number; msg: string; path?: string };
const lines = (logs: string[]): Level[] => logs.map((l) => JSON.parse(l) as Level).filter((l) => l.msg === "request");

describe("access log levels", () => {
  const fx = routerFixture();

  it("a 501 for an Ollama management call and a drain's 503 are warnings, not errors", async () => {
    const v = await fx.fake({ engine: "vllm", models: ["m"] });
    const run = await fx.router(config({ backends: { v: { engine: "vllm", url: v.url } }, aliases: { coder: { targets: [{ backend: "v", model: "m" }] } } }));
    await untilAllUp(run);
    const pull = await fetch(`${run.url}/api/pull`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "coder" }),
    });
    expect(pull.status).toBe(501);
    // A request left hanging keeps the drain open while the next one is refused.
    v.faults.set({ mode: "hang" });
    const hanging = fetch(`${run.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "coder", messages: [{ role: "user", content: "h" }] }),
    }).then((r) => r.text());
    await until(() => run.router.inFlight === 1, "the hanging request");
    const closing = run.router.close(5_000);
    const refused = await fetch(`${run.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "coder", messages: [{ role: "user", content: "x" }] }),
    });
    expect(refused.status).toBe(503);
    await closing;
    await hanging.catch(() => "");
    expect(lines(run.logs).map((l) => [l.status, l.level])).toEqual([
      [501, "warn"],
      [503, "warn"],
      [503, "warn"],
    ]);
  });

  it("a backend's failure is an error", () => {
    const logs: string[] = [];
    const a = { id: "r", face: "openai", method: "POST", path: "/v1/chat/completions", route: "/v1/chat/completions", started: performance.now() };
    for (const [status, outcome] of [
      [502, "upstream-error"],
      [200, "in-band-error"],
      [503, "shutdown"],
      [200, "ok"],
    ] as const) {
      account(new Logger("debug", (l) => logs.push(l)), new RouterMetrics(), a, { status, outcome, attempts: 1 });
    }
    expect(lines(logs).map((l) => l.level)).toEqual(["error", "error", "warn", "info"]);
  });
});
