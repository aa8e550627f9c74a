// /status and /status.json survive whatever a probe recorded and stay small whatever a backend
// reports: a probe that timed out (an abort's numeric code once crashed the page's HTML escaping),
// and a backend listing thousands of long model names with a half-megabyte version string.
import { afterEach, describe, expect, it } from "vitest";
import { describeTransportError } from "../../../router/health/probe.js";
import { html } from "../../../router/ops/html.js";
import { config, routerFixture, until } from "../harness.js";
import { startHostileBackend, type HostileBackend } from "../hostile/backends.js";

describe("status page against hostile backends", () => {
  const fx = routerFixture();
  const backends: HostileBackend[] = [];
  afterEach(async () => {
    await Promise.all(backends.splice(0).map((b) => b.stop()));
  });

  it("renders after a probe timed out on a backend that accepts and never answers", async () => {
    const hung = await startHostileBackend("hung");
    backends.push(hung);
    const r = await fx.router(
      config({
        health: { intervalMs: 50, timeoutMs: 100, maxIntervalMs: 100 },
        backends: { h: { engine: "vllm", url: hung.url } },
        aliases: { a: { targets: [{ backend: "h", model: "m" }] } },
      }),
    );
    await until(() => r.router.registry.get("h")?.lastProbeAt !== undefined, "a probe that timed out");
    const page = await fetch(`${r.url}/status`);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain("TimeoutError");
    const json = (await (await fetch(`${r.url}/status.json`)).json()) as { backends: { detail: unknown }[] };
    expect(typeof json.backends[0]?.detail).toBe("string");
    expect((await fetch(`${r.url}/healthz`)).status).toBe(200);
  });

  it("bounds what a backend can put on the page", { timeout: 60_000 }, async () => {
    const huge = await startHostileBackend("huge");
    backends.push(huge);
    const r = await fx.router(
      config({
        // A 3 MB probe answer takes a while on a loaded machine: a probe timeout that does not cut it.
        health: { intervalMs: 100, timeoutMs: 10_000, maxIntervalMs: 400 },
        backends: { v: { engine: "vllm", url: huge.url }, o: { engine: "ollama", url: huge.url } },
        aliases: {
          a: {
            targets: [
              { backend: "v", model: "m" },
              { backend: "o", model: "m" },
            ],
          },
        },
      }),
    );
    await until(() => (r.router.registry.get("v")?.models?.size ?? 0) > 1000 && r.router.registry.get("o")?.version !== undefined, "the huge lists", 30_000);
    const page = await (await fetch(`${r.url}/status`)).text();
    const json = await (await fetch(`${r.url}/status.json`)).text();
    expect(page.length).toBeLessThan(64 * 1024);
    expect(json.length).toBeLessThan(64 * 1024);
    expect(page).toContain("more models");
    const status = JSON.parse(json) as { backends: { name: string; models_omitted: number; version: string | null }[] };
    expect(status.backends.find((b) => b.name === "v")?.models_omitted).toBe(3_000 - 100);
    expect(status.backends.find((b) => b.name === "o")?.version).toContain("more characters");
  });
});

describe("the status page's one rendering path", () => {
  it("names a transport failure with a string whatever the error carries", () => {
    expect(describeTransportError(new DOMException("timed out", "TimeoutError"))).toBe("TimeoutError");
    expect(describeTransportError({ code: 23 })).toBe("error");
    expect(describeTransportError(null)).toBe("error");
    expect(describeTransportError({ cause: { code: "ECONNRESET" } })).toBe("ECONNRESET");
  });

  it("escapes every value, whatever its type", () => {
    const v: unknown[] = [23, null, undefined, "<b>&", true];
    expect(html`${v[0] as string}|${v[1] as string}|${v[2] as string}|${v[3] as string}|${v[4] as string}`.text).toBe("23|||&#60;b&#62;&#38;|true");
  });
});
