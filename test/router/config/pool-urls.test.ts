// Every backend URL (and key) the schema accepts is one the backend's connection pool accepts: a URL the pool
// would throw on (at start-up, or inside the watcher on a reload) is refused by validation instead,
// with a message that names what to change and never quotes credentials.
import { Pool } from "undici";
import { describe, expect, it } from "vitest";
import { parseRouterConfig } from "../../../router/config/schema.js";

const SECRET = "s3cr3t-pa55";

const urls = [
  "http://127.0.0.1:8000",
  "http://127.0.0.1:8000/",
  "https://example.internal",
  "http://[::1]:11434",
  "http://127.0.0.1:8000/v1",
  "http://127.0.0.1:8000/v1/",
  "http://127.0.0.1:8000//",
  "http://127.0.0.1:8000/api",
  `http://user:${SECRET}@127.0.0.1:8000`,
  `http://${SECRET}@127.0.0.1:8000`,
  "http://127.0.0.1:8000/?x=1",
  "http://127.0.0.1:8000/#frag",
  "http://127.0.0.1:0",
  "HTTP://127.0.0.1:8000",
  "http://127.0.0.1:65535/%2e%2e/",
  "ftp://127.0.0.1",
  "127.0.0.1:8000",
];

const check = (url: string) => parseRouterConfig({ backends: { b: { engine: "vllm", url } }, aliases: { a: { targets: [{ backend: "b", model: "m" }] } } });

describe("backend URLs and the connection pool", () => {
  it.each(urls)("%s: accepted by the schema only if the pool takes it", async (url) => {
    const r = check(url);
    if (!r.ok) return;
    const pool = new Pool(r.config.backends.b?.url ?? "");
    await pool.close();
  });

  it("refuses a path, naming it and why", () => {
    const r = check("http://127.0.0.1:8000/v1");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([{ path: "backends.b.url", message: expect.stringContaining('drop the path "/v1"') as string }]);
    expect(r.problems[0]?.message).toContain("the router appends /v1/");
  });

  it("refuses credentials, pointing to apiKey, without quoting them", () => {
    for (const url of [`http://user:${SECRET}@127.0.0.1:8000`, `http://${SECRET}@127.0.0.1:8000`]) {
      const r = check(url);
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.problems.map((p) => p.message).join(" ")).toContain("apiKey");
      expect(JSON.stringify(r.problems)).not.toContain(SECRET);
    }
  });

  it("refuses a backend key that cannot be sent as a header, without quoting it", () => {
    for (const apiKey of [`${SECRET}\n`, `a ${SECRET}`, `${SECRET}é`, ""]) {
      const r = parseRouterConfig({ backends: { b: { engine: "vllm", url: "http://127.0.0.1:1", apiKey } }, aliases: {} });
      expect(r.ok).toBe(false);
      expect(JSON.stringify(r.ok ? [] : r.problems)).not.toContain(SECRET);
    }
    expect(parseRouterConfig({ backends: { b: { engine: "vllm", url: "http://127.0.0.1:1", apiKey: "sk-abc_123.XYZ" } }, aliases: {} }).ok).toBe(true);
  });

  it("refuses a delay longer than a Node timer keeps", () => {
    const r = parseRouterConfig({ backends: {}, aliases: {}, timeouts: { connectMs: 2 ** 31 } });
    expect(r.ok).toBe(false);
  });
});
