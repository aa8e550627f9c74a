import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigWatcher } from "../../../router/config/watch.js";
import { config, fastHealth, routerFixture, until } from "../harness.js";

const ask = { messages: [{ role: "user" as const, content: "hello" }] };

describe("hot reload and drain", () => {
  const fx = routerFixture();
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("swaps the alias table from the watched file under concurrent load with zero failed requests; a bad file keeps the old table", async () => {
    const a = await fx.fake({ engine: "vllm", models: ["m-a"], chunkDelayMs: 2 });
    const b = await fx.fake({ engine: "vllm", models: ["m-b"], chunkDelayMs: 2 });
    dir = await mkdtemp(join(tmpdir(), "router-reload-"));
    const file = join(dir, "router.json");
    const fileFor = (backend: "a" | "b"): string =>
      JSON.stringify({
        listen: { host: "127.0.0.1", port: 0 },
        health: fastHealth,
        logging: { level: "warn" },
        backends: { a: { engine: "vllm", url: a.url }, b: { engine: "vllm", url: b.url } },
        aliases: { coder: { targets: [{ backend, model: `m-${backend}` }] } },
      });
    // Written the way deploy tools do: a new file renamed over the old one.
    const write = async (text: string): Promise<void> => {
      await writeFile(file + ".tmp", text);
      await rename(file + ".tmp", file);
    };
    await write(fileFor("a"));
    const run = await fx.router(config(JSON.parse(fileFor("a")) as Parameters<typeof config>[0]));
    const watcher = new ConfigWatcher(file, run.router.configHandlers(), 20);
    watcher.start();
    try {
      const client = run.client();
      let stop = false;
      let ok = 0;
      const failures: unknown[] = [];
      const seen = new Set<string>();
      const worker = async (n: number): Promise<void> => {
        for (let i = 0; !stop && i < 400; i++) {
          try {
            // Answers name the alias; x-router-model says which table served them.
            if ((i + n) % 2 === 0) {
              const { data: s, response } = await client.chat.completions.create({ model: "coder", ...ask, stream: true }).withResponse();
              seen.add(response.headers.get("x-router-model") ?? "");
              for await (const c of s) expect(c.model).toBe("coder");
            } else {
              const { data, response } = await client.chat.completions.create({ model: "coder", ...ask }).withResponse();
              seen.add(response.headers.get("x-router-model") ?? "");
              expect(data.model).toBe("coder");
            }
            ok++;
          } catch (err) {
            failures.push(err);
          }
        }
      };
      const workers = Array.from({ length: 6 }, (_, n) => worker(n));
      for (let i = 0; i < 6; i++) {
        const version = (await (await fetch(`${run.url}/status.json`)).json()) as { config: { version: number } };
        await write(fileFor(i % 2 === 0 ? "b" : "a"));
        await until(() => run.router.config.aliases.coder?.targets[0]?.backend === (i % 2 === 0 ? "b" : "a"), "reload applied");
        expect(((await (await fetch(`${run.url}/status.json`)).json()) as { config: { version: number } }).config.version).toBeGreaterThan(
          version.config.version,
        );
        await new Promise((res) => setTimeout(res, 30));
      }
      // An invalid file: the old table keeps serving and /status says why.
      await write('{"backends": {}, "aliases": {"coder": {"targets": []}}}');
      await until(() => run.router.metrics !== undefined && run.logs.some((l) => l.includes("config reload rejected")), "rejection logged");
      const status = (await (await fetch(`${run.url}/status.json`)).json()) as { config: { rejected: { problems: { path: string }[] } | null } };
      expect(status.config.rejected?.problems.map((p) => p.path)).toContain("aliases.coder.targets");
      stop = true;
      await Promise.all(workers);
      expect(failures).toEqual([]);
      expect(ok).toBeGreaterThan(0);
      expect(seen).toEqual(new Set(["m-a", "m-b"]));
      const after = await client.chat.completions.create({ model: "coder", ...ask }).withResponse();
      expect(after.response.headers.get("x-router-model")).toBe("m-a");
    } finally {
      watcher.stop();
    }
  });

  it("clears the rejection once the file is valid again, also when it went back to the table in force", async () => {
    const a = await fx.fake({ engine: "vllm", models: ["m"] });
    dir = await mkdtemp(join(tmpdir(), "router-reload-"));
    const file = join(dir, "router.json");
    const good = (model: string): string =>
      JSON.stringify({
        listen: { host: "127.0.0.1", port: 0 },
        logging: { level: "info" },
        health: fastHealth,
        backends: { a: { engine: "vllm", url: a.url } },
        aliases: { coder: { targets: [{ backend: "a", model }] } },
      });
    await writeFile(file, good("m"));
    const run = await fx.router(config(JSON.parse(good("m")) as Parameters<typeof config>[0]));
    const watcher = new ConfigWatcher(file, run.router.configHandlers(), 20);
    // As the CLI starts it: the file read at start is the table in force.
    watcher.start(JSON.stringify(run.router.config));
    const rejected = async (): Promise<boolean> => {
      const s = (await (await fetch(`${run.url}/status.json`)).json()) as { config: { rejected: unknown } };
      return s.config.rejected !== null;
    };
    // Polled through the endpoints, with a bound so a broken test ends.
    const settle = async (want: boolean, what: string): Promise<void> => {
      const end = Date.now() + 10_000;
      while ((await rejected()) !== want) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      // Settled (nothing else is written meanwhile): the page says the same.
      expect((await (await fetch(`${run.url}/status`)).text()).includes("reload rejected")).toBe(want);
    };
    try {
      expect(await rejected()).toBe(false);
      // An invalid edit, then the same file as before: nothing to reload, but the banner must go.
      await writeFile(file, good("m").replace('"vllm"', '"vlm"'));
      await settle(true, "the rejection shown");
      const inForce = run.router.config;
      await writeFile(file, good("m"));
      await settle(false, "the rejection cleared by the unchanged file");
      expect(run.router.config).toBe(inForce);
      expect(run.logs.filter((l) => l.includes("config file valid again"))).toHaveLength(1);
      // An invalid edit, then a different valid file: reloaded, and the banner goes too.
      await writeFile(file, "{");
      await settle(true, "the second rejection shown");
      await writeFile(file, good("m2"));
      await settle(false, "the rejection cleared by the new file");
      expect(run.router.config.aliases.coder?.targets[0]?.model).toBe("m2");
    } finally {
      watcher.stop();
    }
  });

  it("keeps a backend's state across a reload that does not change it, and retires a removed one", async () => {
    const a = await fx.fake({ engine: "vllm", models: ["m"] });
    const b = await fx.fake({ engine: "vllm", models: ["m"] });
    const two = config({
      backends: { a: { engine: "vllm", url: a.url }, b: { engine: "vllm", url: b.url } },
      aliases: {
        coder: {
          targets: [
            { backend: "a", model: "m" },
            { backend: "b", model: "m" },
          ],
        },
      },
    });
    const r = await fx.router(two);
    await until(() => r.router.registry.get("a")?.health === "up", "probe");
    const before = r.router.registry.get("a");
    r.router.reload(config({ backends: { a: { engine: "vllm", url: a.url } }, aliases: { coder: { targets: [{ backend: "a", model: "m" }] } } }));
    expect(r.router.registry.get("a")).toBe(before);
    expect(r.router.registry.get("b")).toBeUndefined();
    const res = await r
      .client()
      .chat.completions.create({ model: "coder", ...ask })
      .withResponse();
    expect(res.response.headers.get("x-router-backend")).toBe("a");
  });

  it("drains on close: a running stream finishes, then the listener closes", async () => {
    const v = await fx.fake({
      engine: "vllm",
      models: ["m"],
      chunkDelayMs: 20,
      reply: () => ({ content: Array.from({ length: 20 }, (_, i) => `w${i}`).join(" ") }),
    });
    const run = await fx.router(config({ backends: { v: { engine: "vllm", url: v.url } }, aliases: { coder: { targets: [{ backend: "v", model: "m" }] } } }));
    const stream = await run.client().chat.completions.create({ model: "coder", ...ask, stream: true });
    const iter = stream[Symbol.asyncIterator]();
    let text = "";
    const first = await iter.next();
    text += first.done ? "" : (first.value.choices[0]?.delta.content ?? "");
    // The fixture's own stop afterwards finds the router closed already.
    const closing = run.router.close(10_000);
    for (;;) {
      const n = await iter.next();
      if (n.done) break;
      text += n.value.choices[0]?.delta.content ?? "";
    }
    await closing;
    expect(text).toContain("w19");
    expect(v.stats.generationsCompleted).toBe(1);
    await expect(fetch(`${run.url}/healthz`)).rejects.toThrow();
  });
});
