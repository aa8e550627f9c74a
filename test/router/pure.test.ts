// Pure pieces of the router, tested without sockets: ranking, ejection arithmetic, slots, engine parsers, auth.
import { describe, expect, it } from "vitest";
import { authenticate, compileKeys, mayUse, presentedKey } from "../../router/auth/keys.js";
import { parseConfigText } from "../../router/config/load.js";
import { llamacppContext } from "../../router/engines/llamacpp.js";
import { ollamaName, parseOllamaPs, parseOllamaShow, parseOllamaTags } from "../../router/engines/ollama.js";
import { parseOpenAIModelList } from "../../router/engines/types.js";
import { admission, freshPassive } from "../../router/backends/admission.js";
import { ejectionMs, liftByProbe, recordOutcome, retryAfterMs } from "../../router/health/passive.js";
import { nextInterval } from "../../router/health/probe.js";
import { distinctBackends, orderTargets, rankTargets, type CandidateView } from "../../router/proxy/pick.js";
import { Slots } from "../../router/backends/slots.js";
import { sha256 } from "./harness.js";

const view = (index: number, over: Partial<CandidateView> = {}): CandidateView => ({
  index,
  backend: `b${index}`,
  model: `m${index}`,
  health: "up",
  admission: "open",
  busy: false,
  saturated: false,
  warmth: "loaded",
  inFlight: 0,
  ...over,
});

describe("rankTargets", () => {
  it.each<[string, CandidateView[], string[]]>([
    ["configured order by default", [view(0), view(1), view(2)], ["b0", "b1", "b2"]],
    ["down after up", [view(0, { health: "down" }), view(1)], ["b1", "b0"]],
    ["ejected last, but still present", [view(0, { admission: "ejected" }), view(1, { health: "down" })], ["b1", "b0"]],
    ["misconfigured after ejected", [view(0, { health: "misconfigured" }), view(1, { admission: "ejected" })], ["b1", "b0"]],
    ["warming after busy", [view(0, { health: "warming" }), view(1, { busy: true })], ["b1", "b0"]],
    ["loaded beats cold", [view(0, { warmth: "cold" }), view(1)], ["b1", "b0"]],
    ["cold beats missing", [view(0, { warmth: "missing" }), view(1, { warmth: "cold" })], ["b1", "b0"]],
    ["free beats saturated", [view(0, { saturated: true }), view(1)], ["b1", "b0"]],
    ["loaded but saturated beats cold and free", [view(0, { warmth: "cold" }), view(1, { saturated: true })], ["b1", "b0"]],
    ["same model: fewest in flight first", [view(0, { model: "x", inFlight: 3 }), view(1, { model: "x", inFlight: 1 }), view(2, { model: "y" })], ["b1", "b0", "b2"]],
    ["different models keep order despite load", [view(0, { inFlight: 9 }), view(1)], ["b0", "b1"]],
    ["unknown health after up", [view(0, { health: "unknown" }), view(1)], ["b1", "b0"]],
    ["a trial after an ejection keeps its place", [view(0, { admission: "trial" }), view(1)], ["b0", "b1"]],
  ])("%s", (_label, input, expected) => {
    expect(rankTargets(input).map((c) => c.backend)).toEqual(expected);
  });

  it("keeps one candidate per backend", () => {
    const ranked = [view(0, { backend: "x" }), view(1, { backend: "y" }), view(2, { backend: "x" })];
    expect(distinctBackends(ranked).map((c) => c.index)).toEqual([0, 1]);
  });

  it("routing.policy first keeps the configured order whatever the state; ranked puts the warm, healthy target first", () => {
    const views = [view(0, { warmth: "cold" }), view(1, { health: "down" }), view(2), view(3, { backend: "b0" })];
    expect(orderTargets(views, "first").map((c) => c.index)).toEqual([0, 1, 2]);
    // b0 serves the model warm as its second target (index 3): that one stands for b0.
    expect(orderTargets(views, "ranked").map((c) => c.index)).toEqual([2, 3, 1]);
  });
});

describe("passive health", () => {
  const policy = { consecutiveFailures: 3, baseMs: 30_000, maxMs: 300_000, jitter: 0.1, busyMs: 2_000 };

  it.each([
    [1, 0.5, 30_000],
    [2, 0.5, 60_000],
    [20, 0.5, 300_000],
    [1, 0, 27_000],
    [1, 0.999999, 33_000],
  ])("ejection time after %i ejections (random %f) is %i ms", (times, random, ms) => {
    expect(ejectionMs(times, policy, random)).toBe(ms);
  });

  it("ejects on the third consecutive failure, admits one trial after the time, re-ejects longer if it fails", () => {
    const s = freshPassive();
    expect(recordOutcome(s, "failure", 0, policy, 0.5)).toBe(false);
    expect(recordOutcome(s, "failure", 0, policy, 0.5)).toBe(false);
    expect(recordOutcome(s, "failure", 0, policy, 0.5)).toBe(true);
    expect(admission(s, 29_999)).toBe("ejected");
    expect(admission(s, 30_000)).toBe("trial");
    s.trialInFlight = true;
    expect(admission(s, 30_000)).toBe("ejected");
    expect(recordOutcome(s, "failure", 30_000, policy, 0.5)).toBe(true);
    expect(s.ejectedUntil).toBe(90_000);
    expect(recordOutcome(s, "success", 90_000, policy, 0.5)).toBe(false);
    expect(admission(s, 90_000)).toBe("open");
  });

  it("a success resets the count; busy never ejects and honours Retry-After", () => {
    const s = freshPassive();
    recordOutcome(s, "failure", 0, policy, 0.5);
    recordOutcome(s, "failure", 0, policy, 0.5);
    recordOutcome(s, "success", 0, policy, 0.5);
    expect(recordOutcome(s, "failure", 0, policy, 0.5)).toBe(false);
    for (let i = 0; i < 10; i++) recordOutcome(s, "busy", 100, policy, 0.5, 5_000);
    expect(s.ejected).toBe(false);
    expect(s.busyUntil).toBe(5_100);
  });

  it("a passing probe lifts an ejection only once its time is served", () => {
    const s = freshPassive();
    for (let i = 0; i < 3; i++) recordOutcome(s, "failure", 0, policy, 0.5);
    liftByProbe(s, 10_000);
    expect(s.ejected).toBe(true);
    liftByProbe(s, 30_000);
    expect(s.ejected).toBe(false);
  });

  it.each([
    ["5", 5_000],
    ["0", 0],
    ["junk", undefined],
    [undefined, undefined],
    ["Thu, 01 Jan 1970 00:00:10 GMT", 10_000],
  ])("Retry-After %s → %s ms", (header, ms) => {
    expect(retryAfterMs(header, 0)).toBe(ms);
  });

  it.each([
    ["up", 5_000, 5_000],
    ["down", 5_000, 10_000],
    ["down", 40_000, 60_000],
    ["misconfigured", 10_000, 20_000],
    ["warming", 60_000, 5_000],
  ] as const)("probe interval when %s after %i ms is %i ms", (health, prev, next) => {
    expect(nextInterval(health, prev, { intervalMs: 5_000, timeoutMs: 2_000, maxIntervalMs: 60_000 })).toBe(next);
  });
});

describe("Slots", () => {
  it("grants up to the limit, queues in order, refuses beyond the queue, and times out waiters", async () => {
    const s = new Slots(1, 1, 50);
    const ac = new AbortController();
    const first = s.acquire(ac.signal);
    expect(typeof first).toBe("function");
    const second = s.acquire(ac.signal);
    expect(second).toBeInstanceOf(Promise);
    expect(s.acquire(ac.signal)).toBe("full");
    (first as () => void)();
    const got = await second;
    expect(typeof got).toBe("function");
    expect(s.inFlight).toBe(1);
    expect(await s.acquire(ac.signal)).toBe("timeout");
    (got as () => void)();
    (got as () => void)();
    expect(s.inFlight).toBe(0);
  });

  it("drops a waiter whose client left", async () => {
    const s = new Slots(1, 4, 10_000);
    const hold = s.acquire(new AbortController().signal);
    const ac = new AbortController();
    const waiting = s.acquire(ac.signal);
    ac.abort();
    expect(await waiting).toBe("aborted");
    expect(s.queued).toBe(0);
    (hold as () => void)();
  });

  it("has no limit without maxConcurrency", () => {
    const s = new Slots(undefined, 0, 0);
    for (let i = 0; i < 100; i++) expect(typeof s.acquire(new AbortController().signal)).toBe("function");
    expect(s.inFlight).toBe(100);
  });
});

describe("engine parsers", () => {
  it("reads vLLM's model list with max_model_len", () => {
    const m = parseOpenAIModelList({ object: "list", data: [{ id: "a", max_model_len: 4096 }, { id: "b" }, { nope: 1 }] }, true);
    expect([...m.entries()]).toEqual([
      ["a", { installed: true, loaded: true, contextLength: 4096 }],
      ["b", { installed: true, loaded: true }],
    ]);
  });

  it("reads llama.cpp's n_ctx from /props", () => {
    expect(llamacppContext({ default_generation_settings: { n_ctx: 8192 } })).toBe(8192);
    expect(llamacppContext({ n_ctx: 4096 })).toBe(4096);
    expect(llamacppContext({})).toBeUndefined();
  });

  it("reads Ollama's tags, ps and show", () => {
    expect(parseOllamaTags({ models: [{ name: "qwen3:8b", model: "qwen3:8b" }, { name: "llama3" }] })).toEqual(new Set(["qwen3:8b", "llama3"]));
    expect(parseOllamaPs({ models: [{ model: "qwen3:8b", expires_at: "2030-01-01T00:00:00Z", context_length: 8192 }] })).toEqual([
      { name: "qwen3:8b", expiresAt: Date.parse("2030-01-01T00:00:00Z"), contextLength: 8192 },
    ]);
    expect(parseOllamaShow({ model_info: { "qwen3.context_length": 40960 }, parameters: "temperature 0.6\nnum_ctx 16384" })).toEqual({ numCtx: 16384, trained: 40960 });
    expect(ollamaName("llama3")).toBe("llama3:latest");
  });
});

describe("auth", () => {
  const keys = compileKeys([
    { name: "laptop", sha256: sha256("k1"), aliases: ["micro"] },
    { name: "admin", sha256: sha256("k2") },
  ]);

  it.each([
    [{ authorization: "Bearer k1" }, "laptop"],
    [{ authorization: "bearer k2" }, "admin"],
    [{ "x-api-key": "k1" }, "laptop"],
  ])("accepts %j", (headers, name) => {
    const r = authenticate(headers, keys);
    expect(r.ok && r.key?.name).toBe(name);
  });

  it.each([[{}], [{ authorization: "Basic k1" }], [{ authorization: "Bearer k3" }], [{ "x-api-key": "" }]])("rejects %j", (headers) => {
    expect(authenticate(headers, keys).ok).toBe(false);
  });

  it("is off without keys, and scopes are per alias", () => {
    expect(authenticate({}, []).ok).toBe(true);
    expect(mayUse(keys[0], "micro")).toBe(true);
    expect(mayUse(keys[0], "coder")).toBe(false);
    expect(mayUse(keys[1], "coder")).toBe(true);
    expect(presentedKey({ authorization: "Bearer  spaced " })).toBe("spaced");
  });
});

describe("config text", () => {
  it("reports JSON syntax errors at the root and schema errors with paths", () => {
    const bad = parseConfigText("{");
    expect(bad.ok === false && bad.problems[0]?.path).toBe("(root)");
    const wrong = parseConfigText(JSON.stringify({ backends: {}, aliases: { a: { targets: [{ backend: "x", model: "m" }] } } }));
    expect(wrong.ok === false && wrong.problems.map((p) => p.path)).toContain("aliases.a.targets[0].backend");
  });
});
