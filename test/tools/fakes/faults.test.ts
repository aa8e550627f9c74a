// Injected faults (tools/fakes/faults.ts).
import { afterEach, describe, expect, it } from "vitest";
import { fake, post, json, waitFor, chat, stopFakes } from "./harness.js";

afterEach(stopFakes);

describe("faults", () => {
  it.each(["vllm", "ollama", "llamacpp", "openai"] as const)("%s: status fault for N requests with Retry-After, then ok", async (engine) => {
    const e = await fake({ engine, models: ["m"], loaded: ["m"] });
    e.faults.set({ mode: "status", status: 429, statusCount: 2, retryAfterS: 7 });
    const path = engine === "ollama" ? "/api/chat" : "/v1/chat/completions";
    const body = chat("m", "hi", { stream: false });
    for (let i = 0; i < 2; i++) {
      const res = await post(`${e.url}${path}`, body);
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("7");
      expect(await json(res)).toHaveProperty("error");
    }
    expect((await post(`${e.url}${path}`, body)).status).toBe(200);
    expect(e.faults.current().mode).toBe("ok");
  });

  it("applies to inference paths only by default, or to the paths given", async () => {
    const e = await fake({ engine: "vllm", models: ["m"] });
    e.faults.set({ mode: "status", status: 503, body: "down" });
    expect((await fetch(`${e.url}/health`)).status).toBe(200);
    const res = await post(`${e.url}/v1/chat/completions`, chat("m", "hi"));
    expect(res.status).toBe(503);
    expect(await res.text()).toBe("down");
    e.faults.set({ mode: "status", status: 500, paths: ["/health"] });
    expect((await fetch(`${e.url}/health`)).status).toBe(500);
    expect((await post(`${e.url}/v1/chat/completions`, chat("m", "hi"))).status).toBe(200);
  });

  it("reset-before-headers destroys the socket", async () => {
    const e = await fake({ engine: "vllm", models: ["m"] });
    e.faults.set({ mode: "reset-before-headers" });
    await expect(post(`${e.url}/v1/chat/completions`, chat("m", "hi"))).rejects.toThrow();
    e.faults.clear();
    expect((await post(`${e.url}/v1/chat/completions`, chat("m", "hi"))).status).toBe(200);
  });

  it("hang accepts and never answers; the request stays in flight until the client leaves", async () => {
    const e = await fake({ engine: "vllm", models: ["m"] });
    e.faults.set({ mode: "hang" });
    const client = new AbortController();
    const pending = fetch(`${e.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify(chat("m", "hi")), signal: client.signal });
    await waitFor(() => e.stats.inFlight === 1, "request arrived");
    client.abort();
    await expect(pending).rejects.toThrow();
    await e.idle();
    expect(e.stats.generationsStarted).toBe(0);
  });

  it("stall-after-headers sends 200 and the first chunk, then nothing; leaving counts as an abort", async () => {
    const e = await fake({ engine: "vllm", models: ["m"], reply: () => ({ content: "never finished sentence" }) });
    e.faults.set({ mode: "stall-after-headers" });
    const res = await post(`${e.url}/v1/chat/completions`, chat("m", "hi", { stream: true }));
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let seen = "";
    while (!seen.includes('"content":"never"')) {
      const { value, done } = (await reader.read()) as { value?: Uint8Array; done: boolean };
      if (done) throw new Error("stream ended");
      seen += new TextDecoder().decode(value);
    }
    expect(seen).not.toContain("finished");
    expect(e.stats.generationsCompleted).toBe(0);
    await reader.cancel();
    await waitFor(() => e.stats.generationsAborted === 1, "abort counted");
  });

  it("stall-after-headers on a non-streaming request sends headers only", async () => {
    const e = await fake({ engine: "ollama", models: ["m"], loaded: ["m"] });
    e.faults.set({ mode: "stall-after-headers" });
    const client = new AbortController();
    const res = await fetch(`${e.url}/api/chat`, { method: "POST", body: JSON.stringify(chat("m", "hi", { stream: false })), signal: client.signal });
    expect(res.status).toBe(200);
    client.abort();
    await waitFor(() => e.stats.generationsAborted === 1, "abort counted");
  });

  it("refuse closes the port; clearing listens again on the same port", async () => {
    const e = await fake({ engine: "ollama", models: ["m"] });
    const port = e.port;
    e.faults.set({ mode: "refuse" });
    await e.faults.settled();
    const refused = await fetch(`${e.url}/api/version`).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(Error);
    expect(((refused as Error).cause as { code?: string }).code).toBe("ECONNREFUSED");
    e.faults.clear();
    await e.faults.settled();
    expect(e.port).toBe(port);
    expect((await fetch(`${e.url}/api/version`)).status).toBe(200);
  });
});
