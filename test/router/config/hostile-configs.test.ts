// No config and no backend can end the router: the real process (router/main.ts) is given a table of
// hostile configs, as start-up files (refused with the offending value named, exit 1, no stack trace
// and no secret) and as hot reloads (rejected or applied, the process serving after each), in front
// of backends that hang, reset, answer garbage or megabytes, or send their headers a byte at a time.
import { execFileSync } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeEngine, type FakeEngine } from "../../../tools/fakes/index.js";
import { until } from "../harness.js";
import { startHostileBackend, type HostileBackend, type HostileKind } from "../hostile/backends.js";
import { spawnRouter, type RouterProcess } from "../hostile/process.js";

const SECRET = "pa55-s3cret-value";
const KINDS: HostileKind[] = ["hung", "reset", "garbage", "huge", "slow-headers"];
const health = { intervalMs: 100, timeoutMs: 300, maxIntervalMs: 400 };

let good: FakeEngine;
const hostile = new Map<HostileKind, HostileBackend>();

/** A valid table: one good backend and one of each hostile kind (vLLM and Ollama adapters), an alias each. */
function table(extra: Record<string, unknown> = {}, description = "v1"): Record<string, unknown> {
  const backends: Record<string, unknown> = { good: { engine: "vllm", url: good.url } };
  const aliases: Record<string, unknown> = { good: { description, targets: [{ backend: "good", model: "m" }] } };
  for (const [kind, b] of hostile) {
    backends[`${kind}-v`] = { engine: "vllm", url: b.url };
    backends[`${kind}-o`] = { engine: "ollama", url: b.url };
    aliases[kind] = {
      firstByteTimeoutMs: 500,
      targets: [
        { backend: `${kind}-v`, model: "m" },
        { backend: `${kind}-o`, model: "m" },
      ],
    };
  }
  return { health, retries: { max: 1 }, backends, aliases, ...extra };
}
const text = (v: unknown): string => JSON.stringify(v);
const withUrl = (url: string): string => text(table({ backends: { good: { engine: "vllm", url } } }));

const invalid: { name: string; make: (file: string) => Promise<void>; says: string }[] = [
  { name: "a URL with a path", make: (f) => writeFile(f, withUrl("http://127.0.0.1:8000/v1")), says: 'drop the path "/v1"' },
  { name: "credentials in a URL", make: (f) => writeFile(f, withUrl(`http://admin:${SECRET}@127.0.0.1:8000`)), says: "apiKey" },
  { name: "a URL that is not http", make: (f) => writeFile(f, withUrl("ftp://127.0.0.1")), says: "must be an http:// or https:// URL" },
  { name: "a delay no timer keeps", make: (f) => writeFile(f, text(table({ timeouts: { connectMs: 2 ** 31 } }))), says: "at most 2147483647" },
  { name: "not JSON", make: (f) => writeFile(f, `{ "backends": { "b": { "apiKey": ${SECRET} } } }`), says: "not valid JSON" },
  { name: "JSON null", make: (f) => writeFile(f, "null"), says: "(root)" },
  { name: "an empty file", make: (f) => writeFile(f, ""), says: "not valid JSON" },
  { name: "nesting 100000 deep", make: (f) => writeFile(f, "[".repeat(100_000) + "]".repeat(100_000)), says: "(root)" },
  { name: "a FIFO", make: (f) => Promise.resolve(void execFileSync("mkfifo", [f])), says: "is a FIFO" },
  { name: "a directory", make: (f) => mkdir(f).then(() => undefined), says: "is a directory" },
];

beforeAll(async () => {
  good = await startFakeEngine({ engine: "vllm", models: ["m"] });
  for (const kind of KINDS) hostile.set(kind, await startHostileBackend(kind));
});
afterAll(async () => {
  await good.stop();
  await Promise.all([...hostile.values()].map((b) => b.stop()));
});

describe("hostile configs at start-up", () => {
  it.each(invalid)("$name: exit 1, naming the problem, no stack trace, no secret", { timeout: 60_000 }, async ({ make, says }) => {
    const p = await spawnRouter(make, { waitListening: false });
    try {
      expect(await p.exited).toBe(1);
      expect(p.out()).toContain(says);
      expect(p.out()).not.toContain(SECRET);
      expect(p.out()).not.toMatch(/\n\s+at /);
    } finally {
      await p.stop();
    }
  });
});

describe("hostile configs as hot reloads, in front of hostile backends", () => {
  let p: RouterProcess;
  const reloads = (): number => p.count("config reloaded") + p.count("config reload rejected");
  const allProbed = async (): Promise<boolean> => {
    const s = (await (await fetch(`${p.url}/status.json`)).json()) as { backends: { last_probe: string | null }[] };
    return s.backends.every((b) => b.last_probe !== null);
  };

  beforeAll(async () => {
    p = await spawnRouter(text(table()));
  }, 60_000);
  afterAll(async () => {
    await p.stop();
  });

  it("serves after every backend was probed and asked", { timeout: 60_000 }, async () => {
    expect(p.url).not.toBe("");
    for (let i = 0; i < 50 && !(await allProbed()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await allProbed()).toBe(true);
    for (const kind of KINDS) {
      const res = await fetch(`${p.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: text({ model: kind, messages: [{ role: "user", content: "x" }] }),
      });
      // The huge server answers every path with its model list: a 200 the router relays.
      expect(kind === "huge" ? [200] : [502, 503, 504], kind).toContain(res.status);
      await res.text();
    }
    expect(await p.serving()).toBe(true);
  });

  it.each(invalid)("$name: rejected, the process serving, the old table in force", { timeout: 60_000 }, async ({ make, says }) => {
    await rm(p.file, { recursive: true, force: true });
    const before = reloads();
    await make(p.file);
    p.child.kill("SIGHUP");
    await until(() => reloads() > before, "the reload's outcome", 20_000);
    // The watcher may have seen the file half-written first; the SIGHUP's outcome follows.
    const rejected = async (): Promise<string> =>
      JSON.stringify(((await (await fetch(`${p.url}/status.json`)).json()) as { config: { rejected: unknown } }).config.rejected);
    for (let i = 0; i < 100 && !(await rejected()).includes(says.replaceAll('"', '\\"')); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await rejected()).toContain(says.replaceAll('"', '\\"'));
    expect(await p.serving()).toBe(true);
    expect(p.out()).not.toContain(SECRET);
    const ok = await fetch(`${p.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: text({ model: "good", messages: [{ role: "user", content: "x" }] }),
    });
    expect(ok.status).toBe(200);
    await ok.text();
  });

  it.each([
    { name: "a valid table again", cfg: () => table({}, "v2") },
    {
      name: "every backend swapped to another hostile server",
      cfg: () => ({
        ...table({}, "v3"),
        backends: Object.fromEntries(
          Object.entries(table().backends as Record<string, { engine: string }>).map(([n, b], i) => [
            n,
            { ...b, url: [...hostile.values()][i % KINDS.length]?.url },
          ]),
        ),
      }),
    },
    { name: "a moved listen address", cfg: () => table({ listen: { port: 40999 } }, "v4") },
  ])("$name: applied, the process serving", { timeout: 60_000 }, async ({ cfg }) => {
    await rm(p.file, { recursive: true, force: true });
    const before = p.count("config reloaded");
    await p.write(text(cfg()));
    p.child.kill("SIGHUP");
    await until(() => p.count("config reloaded") > before, "the reload", 20_000);
    // Two probe rounds against the hostile servers.
    await new Promise((r) => setTimeout(r, 3 * health.maxIntervalMs));
    expect(await p.serving()).toBe(true);
  });
});
