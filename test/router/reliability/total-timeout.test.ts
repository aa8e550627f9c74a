// timeouts.totalMs caps a whole request. When it runs out the client is told, in its dialect: a 504
// before the answer started, one in-band error once a stream is under way; the log line says it was
// the total time cap (not a client that left), and nothing counts against the backend.
import { describe, expect, it } from "vitest";
import { ask, config, FACES, faultFixture, inBandMessage, post, requestLines, until, untilAllUp, type FaceName, type Running } from "./harness.js";

const fx = faultFixture();
const TOTAL_MS = 300;

async function setUp(mode: "hang" | "stall-after-headers") {
  const v = await fx.fake({ engine: "vllm", models: ["m"] });
  const run = await fx.router(
    config({
      backends: { v: { engine: "vllm", url: v.url } },
      aliases: { coder: { targets: [{ backend: "v", model: "m" }] } },
      // Far beyond the total cap: only the cap can end these requests.
      timeouts: { totalMs: TOTAL_MS, firstByteMs: 120_000, idleMs: 120_000 },
    }),
  );
  await untilAllUp(run);
  v.faults.set({ mode });
  return { v, run };
}

function errorMessage(face: FaceName, text: string): string {
  const e = JSON.parse(text) as { error: string | { message: string } };
  expect(face === "ollama" ? typeof e.error : typeof (e.error as { message: string }).message).toBe("string");
  return typeof e.error === "string" ? e.error : e.error.message;
}

/** The request line says total-timeout (not client-gone), and nothing counted against the backend. */
async function expectLoggedAsTotalTimeout(run: Running, fields: Record<string, unknown>): Promise<void> {
  const line = requestLines(run.logs)[0];
  expect(line).toMatchObject({ ...fields, outcome: "total-timeout" });
  expect(String(line?.error)).toContain("timeouts.totalMs");
  expect(await run.router.metrics.registry.getSingleMetricAsString("router_upstream_failures_total")).not.toContain('backend="v"');
}

describe("timeouts.totalMs", () => {
  it.each(FACES)("%s: a backend that never answers gets the client a 504 in its dialect, logged as the total timeout", async (face) => {
    const { run } = await setUp("hang");
    const q = ask(face, "t1", false);
    const res = await post(run.url + q.path, q.body);
    expect(res.status).toBe(504);
    expect(errorMessage(face, res.text)).toContain(`timeouts.totalMs (${TOTAL_MS} ms)`);
    await expectLoggedAsTotalTimeout(run, { status: 504 });
  });

  it.each(FACES)("%s: a stream under way ends with one in-band error naming the total timeout", async (face) => {
    const { run } = await setUp("stall-after-headers");
    const q = ask(face, "t2", true);
    const res = await post(run.url + q.path, q.body);
    expect(res.status).toBe(200);
    expect(inBandMessage(face, res.text)).toContain(`timeouts.totalMs (${TOTAL_MS} ms)`);
    await expectLoggedAsTotalTimeout(run, { status: 200, backend: "v" });
  });

  it("also stops a request that holds an Ollama cold load (a client that leaves would not stop it)", async () => {
    const o = await fx.fake({ engine: "ollama", models: ["m"], loaded: [], loadDelayMs: 60_000 });
    const run = await fx.router(
      config({
        backends: { o: { engine: "ollama", url: o.url } },
        aliases: { coder: { targets: [{ backend: "o", model: "m" }] } },
        timeouts: { totalMs: TOTAL_MS, firstByteMs: 120_000 },
      }),
    );
    await until(() => run.router.registry.get("o")?.models !== undefined, "the model list");
    const q = ask("ollama", "t3", false);
    const res = await post(run.url + q.path, q.body);
    expect(res.status).toBe(504);
    expect(errorMessage("ollama", res.text)).toContain("timeouts.totalMs");
    await until(() => o.stats.loadsAborted === 1, "the load stopped with its request");
  });
});
