import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { config, fastHealth, routerFixture, until } from "../harness.js";

describe("ops: health, readiness, status, metrics, CLI", () => {
  const fx = routerFixture();

  it("/healthz is alive, /readyz waits for a backend, /status and /status.json show the table", async () => {
    const v = await fx.fake({ engine: "vllm", models: ["m"] });
    await v.kill();
    const run = await fx.router(
      config({
        backends: { spark: { engine: "vllm", url: v.url, maxConcurrency: 2 } },
        aliases: { coder: { targets: [{ backend: "spark", model: "m" }], description: "code <b>" } },
      }),
    );
    expect((await fetch(`${run.url}/healthz`)).status).toBe(200);
    await until(() => run.router.registry.get("spark")?.health === "down", "down");
    expect((await fetch(`${run.url}/readyz`)).status).toBe(503);
    await v.restart();
    await until(() => run.router.registry.get("spark")?.health === "up", "up");
    expect((await fetch(`${run.url}/readyz`)).status).toBe(200);
    const html = await (await fetch(`${run.url}/status`)).text();
    expect(html).toContain("coder");
    expect(html).toContain("spark");
    expect(html).toContain("code &#60;b&#62;");
    expect(html).toContain("auth <b>OFF</b>");
    const json = (await (await fetch(`${run.url}/status.json`)).json()) as {
      aliases: { name: string; targets: { health: string }[] }[];
      backends: { name: string; max_concurrency: number }[];
      auth: string;
    };
    expect(json.auth).toBe("off");
    expect(json.aliases[0]).toMatchObject({ name: "coder", targets: [{ health: "up" }] });
    expect(json.backends[0]).toMatchObject({ name: "spark", max_concurrency: 2 });
  });

  it("/readyz wants an alias with a usable target, not only a backend that is up", async () => {
    // The one backend up serves a model no alias names; the alias's own model is missing on it.
    const v = await fx.fake({ engine: "vllm", models: ["other"] });
    const run = await fx.router(
      config({ backends: { spark: { engine: "vllm", url: v.url } }, aliases: { coder: { targets: [{ backend: "spark", model: "m" }] } } }),
    );
    await until(() => run.router.registry.get("spark")?.models !== undefined, "models known");
    const res = await fetch(`${run.url}/readyz`);
    const body = (await res.json()) as { ready: boolean; reason?: string; aliasesUsable: string[] };
    expect(res.status).toBe(503);
    expect(body).toMatchObject({ ready: false, reason: "no alias has a usable target", aliasesUsable: [] });
  });

  it("/metrics exposes requests, latency, time to first byte and backend state", async () => {
    const v = await fx.fake({ engine: "vllm", models: ["m"] });
    const r = await fx.router(
      config({ backends: { spark: { engine: "vllm", url: v.url } }, aliases: { coder: { targets: [{ backend: "spark", model: "m" }] } } }),
    );
    await until(() => r.router.registry.get("spark")?.health === "up", "up");
    await r.client().chat.completions.create({ model: "coder", messages: [{ role: "user", content: "x" }] });
    const text = await (await fetch(`${r.url}/metrics`)).text();
    expect(text).toMatch(/router_requests_total\{face="openai",path="\/v1\/chat\/completions",alias="coder",backend="spark",status="200"\} 1/);
    expect(text).toContain("router_request_duration_seconds_bucket");
    expect(text).toContain("router_time_to_first_byte_seconds_bucket");
    expect(text).toMatch(/router_backend_state\{backend="spark",state="up"\} 1/);
    expect(text).toContain("router_backend_in_flight");
  });

  it("the CLI serves a config file, reloads on SIGHUP and drains on SIGTERM", async () => {
    const v = await fx.fake({ engine: "vllm", models: ["m1", "m2"] });
    const dir = await mkdtemp(join(tmpdir(), "router-cli-"));
    const file = join(dir, "router.json");
    const cfg = (model: string): string =>
      JSON.stringify({ health: fastHealth, backends: { v: { engine: "vllm", url: v.url } }, aliases: { coder: { targets: [{ backend: "v", model }] } } });
    await writeFile(file, cfg("m1"));
    const child = spawn(process.execPath, ["--import", "tsx", "router/main.ts", "--config", file, "--port", "0"], {
      cwd: process.cwd(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await until(() => out.includes('"msg":"listening"'), "listening", 20_000);
      const url = (/"url":"([^"]+)"/.exec(out) ?? [])[1] ?? "";
      const ask = async (): Promise<string> => {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "coder", messages: [{ role: "user", content: "x" }] }),
        });
        return res.headers.get("x-router-model") ?? "";
      };
      expect(await ask()).toBe("m1");
      await writeFile(file, cfg("m2"));
      child.kill("SIGHUP");
      await until(() => out.includes('"msg":"config reloaded"'), "reload", 10_000);
      expect(await ask()).toBe("m2");
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    }
  });
});
