// Session affinity (routing/affinity.ts, affinity-key.ts, prefill.ts): what identifies a conversation,
// when its holder goes first and when it yields, what answers teach, and the table's bound.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { BackendRegistry } from "../../../router/backends/registry.js";
import { Affinity, withAffinity } from "../../../router/routing/affinity.js";
import { conversationKey, sessionFromHeaders } from "../../../router/routing/affinity-key.js";
import type { CandidateView } from "../../../router/routing/pick.js";
import { UsageMeter } from "../../../router/telemetry/usage.js";
import { slotCache } from "../../../router/routing/residents.js";
import { config } from "../harness.js";
import { view as candidate } from "./view.js";

/** Candidates named b0, b1, … all serving model m. */
const view = (backend: string, over: Partial<CandidateView> = {}): CandidateView => candidate(Number(backend.slice(1)), { backend, model: "m", ...over });

const turn1 = {
  messages: [
    { role: "system", content: "You are terse." },
    { role: "user", content: "fix the bug" },
  ],
};
const turn2 = { messages: [...turn1.messages, { role: "assistant", content: "done" }, { role: "user", content: "now test it" }] };

describe("conversationKey", () => {
  it("is the same for every turn of a conversation and differs between conversations", () => {
    const k1 = conversationKey("coder", turn1, undefined);
    expect(k1).toBeDefined();
    expect(conversationKey("coder", turn2, undefined)).toBe(k1);
    const other = { messages: [turn1.messages[0], { role: "user", content: "write docs" }] };
    expect(conversationKey("coder", other, undefined)).not.toBe(k1);
    expect(conversationKey("agent", turn1, undefined)).not.toBe(k1);
  });

  it("takes Anthropic's system field and a completion's prompt as the prefix", () => {
    const a = { system: "be brief", messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] };
    expect(conversationKey("x", a, undefined)).not.toBe(conversationKey("x", { ...a, system: "be long" }, undefined));
    expect(conversationKey("x", { prompt: "once upon" }, undefined)).toBeDefined();
    expect(conversationKey("x", { prompt: "once upon" }, undefined)).not.toBe(conversationKey("x", { prompt: "a time" }, undefined));
    expect(conversationKey("x", { input: "embed me" }, undefined)).toBeUndefined();
  });

  it("prefers the client's session header, most specific first", () => {
    expect(sessionFromHeaders({ "x-claude-code-session-id": "c1", "x-session-affinity": "s1" })).toBe("c1");
    expect(sessionFromHeaders({ "x-opencode-session": "o1" })).toBe("o1");
    expect(sessionFromHeaders({ "session-id": "x".repeat(201) })).toBeUndefined();
    const other = { messages: [{ role: "user", content: "something else" }] };
    expect(conversationKey("coder", other, "c1")).toBe(conversationKey("coder", turn1, "c1"));
  });
});

/** Backends on a port nothing listens on, with their engine and maxConcurrency. */
function registryOf(backends: Record<string, { engine: "ollama" | "llamacpp" | "vllm"; maxConcurrency?: number }>): BackendRegistry {
  const registry = new BackendRegistry();
  const all = Object.fromEntries(Object.entries(backends).map(([name, b]) => [name, { url: "http://127.0.0.1:9", ...b }]));
  registry.apply(config({ backends: all, aliases: {} }));
  return registry;
}

describe("Affinity.prefer", () => {
  const registry = registryOf({ b0: { engine: "ollama", maxConcurrency: 1 }, b1: { engine: "ollama", maxConcurrency: 1 } });
  const held = { backend: "b1", model: "m", at: 0 };
  const bytes = (): number => 40_000;

  it.each<[string, CandidateView[], string[], string]>([
    ["moves the holder first when it is as good", [view("b0"), view("b1")], ["b1", "b0"], "kept"],
    ["keeps a holder with more in flight but a free slot", [view("b0"), view("b1", { inFlight: 3 })], ["b1", "b0"], "kept"],
    ["yields to health", [view("b0"), view("b1", { health: "down" })], ["b0", "b1"], "released-health"],
    ["yields to an ejection", [view("b0"), view("b1", { admission: "ejected" })], ["b0", "b1"], "released-health"],
    ["never cold when another is warm", [view("b0"), view("b1", { warmth: "cold" })], ["b0", "b1"], "released-warmth"],
    ["yields to a free target when it is saturated and nothing is learned", [view("b0"), view("b1", { saturated: true })], ["b0", "b1"], "released-busy"],
    ["waits when both are saturated", [view("b0", { saturated: true }), view("b1", { saturated: true })], ["b1", "b0"], "kept"],
    ["a holder no longer among the targets", [view("b0"), view("b2")], ["b0", "b2"], "gone"],
  ])("%s", (_label, order, expected, choice) => {
    const r = new Affinity().prefer(order, held, registry, bytes);
    expect(r.order.map((c) => c.backend)).toEqual(expected);
    expect(r.choice).toBe(choice);
  });

  it("waits for a saturated holder only while the wait costs less than re-reading the prompt", () => {
    const a = new Affinity();
    // b0 reads 1,000 tokens/s; a 40,000-byte prompt at 4 bytes per token is 10,000 tokens: 10 s to re-read.
    a.learn("b0", { prompt: 1_000, prefill: { tokens: 1_000, seconds: 1 } }, 4_000, 500);
    a.learn("b1", {}, 0, 2_000);
    const order = [view("b0"), view("b1", { saturated: true })];
    expect(a.prefer(order, held, registry, bytes).choice).toBe("kept-waiting");
    // A slot held for 20 s on average: waiting costs more than the re-read.
    for (let i = 0; i < 30; i++) a.learn("b1", {}, 0, 20_000);
    expect(a.prefer(order, held, registry, bytes).choice).toBe("released-busy");
  });

  it("learns the slowest recent prefill: a cache hit, timed short but counted whole, does not raise it", () => {
    const a = new Affinity();
    a.learn("b0", { prompt: 2_000, prefill: { tokens: 2_000, seconds: 4 } }, 8_000, 1);
    a.learn("b0", { prompt: 2_100, prefill: { tokens: 2_100, seconds: 0.2 } }, 8_400, 1);
    expect(a.prefillTps("b0")).toBe(500);
    expect(a.promptTokens("b0", 8_000)).toBeCloseTo(2_000, 0);
  });

  it("only acts when on, ranked and with a remembered holder", () => {
    const a = new Affinity();
    const key = "k";
    const order = [view("b0"), view("b1")];
    const on = config({ backends: {}, aliases: {} });
    expect(withAffinity(order, a, key, on, registry, 0, bytes).choice).toBe("none");
    a.sent(key, "b1", "m", 0, 10, undefined)(true);
    expect(withAffinity(order, a, key, on, registry, 1, bytes).order[0]?.backend).toBe("b1");
    const off = config({ backends: {}, aliases: {}, routing: { affinity: { enabled: false } } });
    expect(withAffinity(order, a, key, off, registry, 1, bytes).choice).toBe("none");
    const first = config({ backends: {}, aliases: {}, routing: { policy: "first" } });
    expect(withAffinity(order, a, key, first, registry, 1, bytes).choice).toBe("none");
    // Past the expiry the conversation is forgotten.
    expect(withAffinity(order, a, key, on, registry, on.routing.affinity.ttlMs + 2, bytes).choice).toBe("none");
    expect(a.size).toBe(0);
  });
});

describe("where a conversation no target holds goes, and whose cache it pushes out", () => {
  // b0 has one slot, b1 two (llama.cpp: an empty slot is taken first); b3 is Ollama with two slots
  // (it passes over an empty slot for one holding another conversation); b2 and b4 are not modelled.
  const registry = registryOf({
    b0: { engine: "llamacpp", maxConcurrency: 1 },
    b1: { engine: "llamacpp", maxConcurrency: 2 },
    b2: { engine: "ollama" },
    b3: { engine: "ollama", maxConcurrency: 2 },
    b4: { engine: "vllm", maxConcurrency: 8 },
  });
  const on = config({ backends: {}, aliases: {} });
  const bytes = (): number => 4_000;
  const both = (): CandidateView[] => [view("b0"), view("b1")];
  const send = (a: Affinity, key: string, backend: string, at: number): void => a.sent(key, backend, "m", at, 100, slotCache(registry.get(backend)))(true);

  it("sends a new conversation to a free cache slot rather than the ranking's first, whose slot is taken", () => {
    const a = new Affinity();
    send(a, "live", "b0", 0);
    const r = withAffinity(both(), a, "new", on, registry, 10, bytes);
    expect(r.order.map((c) => c.backend)).toEqual(["b1", "b0"]);
    expect(r.choice).toBe("placed");
  });

  it("with every slot taken, pushes out the cache unused the longest", () => {
    const a = new Affinity();
    send(a, "one", "b0", 5);
    send(a, "two", "b1", 1);
    send(a, "three", "b1", 8);
    expect(withAffinity(both(), a, "new", on, registry, 10, bytes).order[0]?.backend).toBe("b1");
    send(a, "one", "b0", 0);
    send(a, "two", "b1", 9);
    expect(withAffinity(both(), a, "new", on, registry, 10, bytes).order[0]?.backend).toBe("b0");
  });

  it("a conversation pushed out is held nowhere: its next turn is placed, not sent to evict its evictor", () => {
    const a = new Affinity();
    send(a, "old", "b0", 0);
    send(a, "b1-first", "b1", 1);
    send(a, "b1-second", "b1", 2);
    send(a, "new", "b0", 3);
    expect(a.holder("old", 4, 1_000)).toBeUndefined();
    expect(a.holder("new", 4, 1_000)?.backend).toBe("b0");
    // b1's least recently used cache (sent at 1) is older than b0's (3): the pushed-out turn goes there.
    const r = withAffinity(both(), a, "old", on, registry, 4, bytes);
    expect(r.order[0]?.backend).toBe("b1");
    expect(r.choice).toBe("placed");
  });

  it("never pushes out a conversation whose turn is running", () => {
    const a = new Affinity();
    const running = a.sent("running", "b0", "m", 0, 100, slotCache(registry.get("b0")));
    send(a, "new", "b0", 1);
    expect(a.holder("running", 2, 1_000)?.backend).toBe("b0");
    running(true);
    send(a, "newer", "b0", 3);
    expect(a.holder("running", 4, 1_000)).toBeUndefined();
    expect(a.holder("new", 4, 1_000)).toBeUndefined();
  });

  it("on Ollama, a new conversation pushes out an idle one though a slot is empty; with two idle, which one is not known", () => {
    const a = new Affinity();
    send(a, "c1", "b3", 0);
    // One idle conversation and an empty slot: Ollama's runner takes the idle one's slot (no room here).
    expect(withAffinity([view("b3"), view("b1")], a, "new", on, registry, 10, bytes).order[0]?.backend).toBe("b1");
    send(a, "c2", "b3", 1);
    expect(a.holder("c1", 2, 1_000)).toBeUndefined();
    const c2 = a.sent("c2", "b3", "m", 2, 100, slotCache(registry.get("b3")));
    send(a, "c3", "b3", 3);
    c2(true);
    send(a, "c4", "b3", 4);
    expect(["c2", "c3"].map((k) => a.holder(k, 5, 1_000)?.backend)).toEqual(["b3", "b3"]);
  });

  it("leaves the ranking alone when a target's cache is not modelled, or the better target is better by more than room", () => {
    const a = new Affinity();
    send(a, "live", "b0", 0);
    expect(withAffinity([view("b0"), view("b2")], a, "new", on, registry, 10, bytes).choice).toBe("none");
    expect(withAffinity([view("b0"), view("b4")], a, "new", on, registry, 10, bytes).choice).toBe("none");
    expect(withAffinity([view("b0"), view("b1", { saturated: true })], a, "new", on, registry, 10, bytes).order[0]?.backend).toBe("b0");
    expect(withAffinity([view("b0"), view("b1", { inFlight: 1 })], a, "new", on, registry, 10, bytes).order[0]?.backend).toBe("b0");
    expect(withAffinity([view("b0"), view("b1", { warmth: "cold" })], a, "new", on, registry, 10, bytes).order[0]?.backend).toBe("b0");
  });
});

describe("the affinity table's bound", () => {
  it("holds at most maxEntries conversations, least recently used forgotten first", () => {
    const a = new Affinity();
    for (let i = 0; i < 5; i++) a.sent(`k${i}`, "b0", "m", i, 3, undefined)(true);
    a.holder("k2", 5, 1_000);
    a.sent("k2", "b0", "m", 6, 3, undefined)(true);
    a.sent("k5", "b0", "m", 7, 3, undefined)(true);
    expect(a.size).toBe(3);
    expect(["k2", "k3", "k4", "k5"].filter((k) => a.holder(k, 8, 1_000) !== undefined)).toEqual(["k2", "k4", "k5"]);
  });

  it("stays flat over a million distinct conversations", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const a = new Affinity();
    const cap = 10_000;
    const record = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        const key = conversationKey(
          "coder",
          {
            messages: [
              { role: "system", content: "You are terse." },
              { role: "user", content: `task ${i}` },
            ],
          },
          undefined,
        );
        a.sent(key as string, i % 2 === 0 ? "b0" : "b1", "m", i, cap, undefined)(true);
      }
    };
    record(0, 100_000);
    gc();
    const after100k = process.memoryUsage().heapUsed;
    record(100_000, 1_000_000);
    gc();
    const after1m = process.memoryUsage().heapUsed;
    expect(a.size).toBe(cap);
    // 900,000 more conversations, and the heap holds what a full table holds: a few MB of slack for
    // the test runner's own allocations, nowhere near the ~100 MB a table without a cap would keep.
    console.log(`affinity table: ${a.size} entries; heap after 100k ${(after100k / 1e6).toFixed(1)} MB, after 1M ${(after1m / 1e6).toFixed(1)} MB`);
    expect(after1m - after100k).toBeLessThan(16 * 1024 * 1024);
    // A million digests take a while on a busy machine; nothing here is timed.
  }, 180_000);
});

describe("what affinity learns from an answer", () => {
  it("is the prefill its engine reported, read by the usage meter from the bytes relayed: Ollama's last line, llama.cpp's timings", () => {
    const ollama = new UsageMeter("ollama");
    for (let i = 0; i < 500; i++) ollama.push(Buffer.from(`{"message":{"content":"word ${i}"},"done":false}\n`), i);
    ollama.push(Buffer.from('{"done":true,"prompt_eval_count":2000,"prompt_eval_duration":500000000,"eval_count":8,"eval_duration":8000000}\n'), 500);
    expect(ollama.usage).toMatchObject({ prompt: 2000, completion: 8, prefill: { tokens: 2000, seconds: 0.5 } });
    const llama = new UsageMeter("llamacpp");
    llama.whole(Buffer.from('{"choices":[],"usage":{"prompt_tokens":1200},"timings":{"cache_n":1000,"prompt_n":200,"prompt_ms":100.5}}'), 0);
    expect(llama.usage).toMatchObject({ prompt: 1200, cached: 1000, prefill: { tokens: 200, seconds: 0.1005 } });
    const openai = new UsageMeter("openai");
    openai.whole(Buffer.from('{"choices":[],"usage":{"prompt_tokens":1200,"completion_tokens":3}}'), 0);
    expect(openai.usage.prefill).toBeUndefined();
    const a = new Affinity();
    a.learn("b0", ollama.usage, 8_000, 1);
    a.learn("b0", llama.usage, 4_800, 1);
    // The slower of the two: llama.cpp read 200 tokens in 100.5 ms, Ollama 2,000 in 500 ms.
    expect(a.prefillTps("b0")).toBeCloseTo(200 / 0.1005, 3);
    expect(a.promptTokens("b0", 8_000)).toBeCloseTo(2_000, 0);
  });
});
