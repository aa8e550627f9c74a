// Backend trouble is said once: a backend going down or up, a model the table names missing on its
// backend, an alias left with no healthy target each write one log line when they change, however
// many probes see the same state; and /status shows model state in colour, in the right column.
import { describe, expect, it } from "vitest";
import type { Running } from "../harness.js";
import { config, routerFixture, until } from "../harness.js";

interface Line {
  msg: string;
  level: string;
  backend?: string;
  model?: string;
  alias?: string;
  was?: string;
}

const lines = (r: Running): Line[] => r.logs.map((l) => JSON.parse(l) as Line);
const count = (r: Running, msg: string, field: Partial<Line> = {}): number =>
  lines(r).filter((l) => l.msg === msg && Object.entries(field).every(([k, v]) => l[k as keyof Line] === v)).length;

/** Waits for `n` more probes of a backend to finish (a bound, not a timing assertion). */
async function probes(r: Running, backend: string, n: number): Promise<void> {
  const seen = new Set<number>();
  await until(() => {
    const at = r.router.registry.get(backend)?.lastProbeAt;
    if (at !== undefined) seen.add(at);
    return seen.size > n;
  }, `${n} probes of ${backend}`);
}

describe("state changes in the log", () => {
  const fx = routerFixture();

  it("a backend going down and coming back: one line each, however many probes", async () => {
    const v = await fx.fake({ engine: "vllm", models: ["m"] });
    const w = await fx.fake({ engine: "vllm", models: ["m"] });
    const r = await fx.router(
      config({
        backends: { spark: { engine: "vllm", url: v.url }, other: { engine: "vllm", url: w.url } },
        aliases: {
          coder: {
            targets: [
              { backend: "spark", model: "m" },
              { backend: "other", model: "m" },
            ],
          },
          solo: { targets: [{ backend: "spark", model: "m" }] },
        },
      }),
    );
    await until(() => r.router.registry.get("spark")?.health === "up", "up");
    await probes(r, "spark", 3);
    expect(count(r, "backend up", { backend: "spark", was: "unknown" })).toBe(1);

    await v.kill();
    await until(() => r.router.registry.get("spark")?.health === "down", "down");
    await probes(r, "spark", 3);
    expect(count(r, "backend down", { backend: "spark", was: "up" })).toBe(1);
    expect(lines(r).find((l) => l.msg === "backend down")?.level).toBe("warn");
    // solo has no other target; coder still has one.
    expect(count(r, "alias has no healthy target", { alias: "solo" })).toBe(1);
    expect(count(r, "alias has no healthy target", { alias: "coder" })).toBe(0);

    await v.restart();
    await until(() => r.router.registry.get("spark")?.health === "up", "up again");
    await probes(r, "spark", 3);
    expect(count(r, "backend up", { backend: "spark" })).toBe(2);
    expect(count(r, "backend down", { backend: "spark" })).toBe(1);
    expect(count(r, "alias has a healthy target again", { alias: "solo" })).toBe(1);
    expect(count(r, "alias has no healthy target")).toBe(1);
    // The other backend never changed after its first probe.
    expect(count(r, "backend up", { backend: "other" })).toBe(1);
  });

  it("a model missing on its backend, and the alias it strands: one line each", async () => {
    const v = await fx.fake({ engine: "vllm", models: ["present"] });
    const r = await fx.router(
      config({
        backends: { box: { engine: "vllm", url: v.url } },
        aliases: {
          gone: { targets: [{ backend: "box", model: "ghost" }] },
          half: {
            targets: [
              { backend: "box", model: "ghost" },
              { backend: "box", model: "present" },
            ],
          },
        },
      }),
    );
    await until(() => r.router.registry.get("box")?.models !== undefined, "model list");
    await probes(r, "box", 3);
    expect(count(r, "model missing on backend", { backend: "box", model: "ghost" })).toBe(1);
    expect(count(r, "model missing on backend", { model: "present" })).toBe(0);
    expect(count(r, "alias has no healthy target", { alias: "gone" })).toBe(1);
    expect(count(r, "alias has no healthy target", { alias: "half" })).toBe(0);

    // The model is served from now on (vLLM lists what it serves): one line says so, and the alias is served again.
    v.options.models.push("ghost");
    await until(() => r.router.registry.get("box")?.model("ghost")?.installed === true, "ghost installed");
    await probes(r, "box", 3);
    expect(count(r, "model available on backend again", { backend: "box", model: "ghost" })).toBe(1);
    expect(count(r, "alias has a healthy target again", { alias: "gone" })).toBe(1);
    expect(count(r, "model missing on backend")).toBe(1);
  });
});

describe("/status", () => {
  const fx = routerFixture();

  /** The aliases table as header → cell HTML, one record per target row. */
  function aliasRows(html: string): Record<string, string>[] {
    const table = /<h2>Aliases<\/h2><table>([\s\S]*?)<\/table>/.exec(html)?.[1] ?? "";
    const headers = [...table.matchAll(/<th>(.*?)<\/th>/g)].map((m) => m[1] ?? "");
    const rows = [...table.matchAll(/<tr>((?:(?!<\/tr>)[\s\S])*?<td[\s\S]*?)<\/tr>/g)].map((m) =>
      [...(m[1] ?? "").matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1] ?? ""),
    );
    // The alias cell spans its targets' rows: later rows are one cell short.
    return rows.map((cells) => Object.fromEntries(headers.slice(headers.length - cells.length).map((h, i) => [h, cells[i] ?? ""])));
  }

  it("colours model state like health, and the backend column holds the backend", async () => {
    const v = await fx.fake({ engine: "ollama", models: ["warm", "cool"], loaded: ["warm"] });
    const r = await fx.router(
      config({
        backends: { box: { engine: "ollama", url: v.url } },
        aliases: {
          a: {
            targets: [
              { backend: "box", model: "warm" },
              { backend: "box", model: "cool" },
              { backend: "box", model: "ghost" },
            ],
          },
        },
      }),
    );
    await until(() => r.router.registry.get("box")?.model("warm")?.loaded === true, "ps probe");
    const rows = aliasRows(await (await fetch(`${r.url}/status`)).text());
    expect(rows.map((row) => row.backend)).toEqual(["1. box", "2. box", "3. box"]);
    expect(rows.map((row) => row.model)).toEqual(["warm", "cool", "ghost"]);
    const badge = (cell: string | undefined): { colour: string; text: string } | undefined => {
      const m = /<span class="b" style="background:(#[0-9a-f]{6})">([^<]*)<\/span>/.exec(cell ?? "");
      return m ? { colour: m[1] ?? "", text: m[2] ?? "" } : undefined;
    };
    const up = badge(rows[0]?.health);
    expect(up?.text).toBe("up");
    const states = rows.map((row) => badge(row["model state"]));
    expect(states.map((s) => s?.text)).toEqual(["loaded", "cold", "missing"]);
    // loaded is as green as up; missing is red, and no state is left uncoloured.
    expect(states[0]?.colour).toBe(up?.colour);
    expect(new Set(states.map((s) => s?.colour)).size).toBe(3);
    expect(states[2]?.colour).toBe(badge('<span class="b" style="background:#c62828">down</span>')?.colour);
  });
});
