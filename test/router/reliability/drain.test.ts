// SIGTERM's drain (Router.close): while it lasts, new requests and /readyz answer 503 in their
// dialect (the listener stays open, so clients and load balancers are told, not refused), and the
// requests in flight go on. When drainMs runs out, every answer still open gets one error its
// client can read, in its dialect, naming the shutdown, and then the connections close; the log
// says it was the drain, and nothing counts against the backends.
import { connect } from "node:net";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { ask, config, FACES, faultFixture, inBandMessage, post, requestLines, until, untilAllUp } from "./harness.js";

const fx = faultFixture();

describe("drain", () => {
  it("answers new requests and /readyz with 503 while a request in flight finishes, then closes the listener", async () => {
    const v = await fx.fake({ engine: "vllm", models: ["m"] });
    const run = await fx.router(config({ backends: { v: { engine: "vllm", url: v.url } }, aliases: { coder: { targets: [{ backend: "v", model: "m" }] } } }));
    await untilAllUp(run);
    // The request in flight is one whose body the test is still sending: it stays open exactly as long as the test wants.
    const body = JSON.stringify({ model: "coder", messages: [{ role: "user", content: "held" }] });
    const socket = connect(Number(new URL(run.url).port), "127.0.0.1");
    let answer = "";
    socket.on("data", (c: Buffer) => (answer += c.toString()));
    const socketClosed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    await until(() => run.router.inFlight === 1, "the held request in flight");

    const closing = run.router.close(60_000);
    for (const face of FACES) {
      const q = ask(face, "late", false);
      const res = await fetch(run.url + q.path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(q.body) });
      expect(res.status).toBe(503);
      expect(res.headers.get("connection")).toBe("close");
      const e = (await res.json()) as { error: string | { message: string } };
      expect(typeof e.error === "string" ? e.error : e.error.message).toMatch(/shutting down/);
    }
    const ready = await fetch(`${run.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, draining: true });

    socket.write(body.slice(10));
    await socketClosed;
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    await closing;
    await expect(fetch(`${run.url}/healthz`)).rejects.toThrow();
    const lines = requestLines(run.logs);
    expect(lines.filter((l) => l.status === 503 && l.outcome === "shutdown")).toHaveLength(3);
    expect(lines.filter((l) => l.status === 200)).toHaveLength(1);
  });

  it("when drainMs runs out, every open answer gets one error in its dialect naming the shutdown", async () => {
    const streaming = await fx.fake({ engine: "vllm", models: ["m"] });
    const silent = await fx.fake({ engine: "vllm", models: ["m"] });
    const run = await fx.router(
      config({
        backends: { streaming: { engine: "vllm", url: streaming.url }, silent: { engine: "vllm", url: silent.url } },
        aliases: { coder: { targets: [{ backend: "streaming", model: "m" }] }, waiting: { targets: [{ backend: "silent", model: "m" }] } },
        timeouts: { keepAliveMs: 50 },
      }),
    );
    await untilAllUp(run);
    // Streams that started and then go quiet, a stream still waiting for its first token (keep-alives
    // sent), and a whole answer still waiting: none would end by itself.
    streaming.faults.set({ mode: "stall-after-headers" });
    silent.faults.set({ mode: "hang" });
    const streams = FACES.map((face) => {
      const q = ask(face, `s-${face}`, true);
      return { face, done: post(run.url + q.path, q.body) };
    });
    const waitingStream = post(`${run.url}/v1/chat/completions`, { model: "waiting", stream: true, messages: [{ role: "user", content: "w" }] });
    const waitingWhole = post(`${run.url}/v1/messages`, { model: "waiting", max_tokens: 8, messages: [{ role: "user", content: "w" }] });
    // The OpenAI SDK raises the in-band error (without it, it throws a bare "terminated").
    const sdkStream = await run.client().chat.completions.create({ model: "coder", stream: true, messages: [{ role: "user", content: "sdk" }] });
    const sdkDone = (async () => {
      for await (const _ of sdkStream) void _;
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    await until(() => run.router.inFlight === 6 && streaming.stats.inFlight === 4 && silent.stats.inFlight === 2, "every request under way");

    await run.router.close(100);

    for (const { face, done } of streams) {
      const res = await done;
      expect(res.status).toBe(200);
      expect(inBandMessage(face, res.text), `${face}: ${res.text.slice(-300)}`).toMatch(/shutting down: its drain time \(drainMs 100 ms\) ran out/);
    }
    const w = await waitingStream;
    expect(w.status).toBe(200);
    expect(inBandMessage("openai", w.text)).toMatch(/shutting down/);
    const whole = await waitingWhole;
    expect(whole.status).toBe(503);
    expect(JSON.parse(whole.text)).toMatchObject({
      type: "error",
      error: { type: "overloaded_error", message: expect.stringMatching(/shutting down/) as unknown },
    });
    const sdkError = await sdkDone;
    expect(sdkError).toBeInstanceOf(OpenAI.APIError);
    expect((sdkError as Error).message).toMatch(/shutting down/);

    // The log says drain, for every request, and blames no backend.
    expect(run.logs.some((l) => l.includes("drain time is up"))).toBe(true);
    const lines = requestLines(run.logs);
    expect(lines).toHaveLength(6);
    for (const l of lines) {
      expect(l.outcome).toBe("shutdown");
      expect(String(l.error)).toMatch(/drainMs/);
    }
    expect(run.logs.join("\n")).not.toMatch(/failed mid-response|unreachable/);
    expect(await run.router.metrics.registry.getSingleMetricAsString("router_upstream_failures_total")).not.toMatch(/backend="/);
  });
});
