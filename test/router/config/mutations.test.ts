// Random mutations of a valid router config: each is accepted or rejected with a path-specific
// message, never a throw; a hot reload of a rejected file keeps the old table serving.
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parseRouterConfig } from "../../../router/config/schema.js";
import { prng } from "../../../scripts/soak/run.js";
import { post, until } from "../reliability/harness.js";
import { loadText, watchedRouter } from "./watched.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const VALID: Json = {
  listen: { host: "127.0.0.1", port: 4000 },
  backends: {
    "spark-vllm": { engine: "vllm", url: "http://10.0.0.11:8000", apiKey: "k" },
    "unraid-ollama": { engine: "ollama", url: "http://10.0.0.10:11435", maxConcurrency: 1, queue: { maxLength: 4, maxWaitMs: 1000 } },
  },
  aliases: {
    coder: {
      targets: [
        { backend: "spark-vllm", model: "MiniMax-M2.5" },
        { backend: "unraid-ollama", model: "qwen3-coder:30b" },
      ],
      firstByteTimeoutMs: 1000,
    },
  },
  apiKeys: [{ name: "laptop", sha256: "a".repeat(64), aliases: ["coder"] }],
  claudeModels: { haiku: "coder" },
  health: { intervalMs: 5000 },
  ejection: { consecutiveFailures: 3, jitter: 0.1 },
  timeouts: { firstByteMs: 300000, totalMs: 0 },
  retries: { max: 2 },
  limits: { maxBodyBytes: 1000 },
  logging: { level: "info" },
};

/** Every path to a value in the tree ([] is the root). */
function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(v)) v.forEach((c, i) => out.push(...paths(c, [...at, i])));
  else if (v !== null && typeof v === "object") for (const [k, c] of Object.entries(v)) out.push(...paths(c, [...at, k]));
  return out;
}

const ODD_VALUES: Json[] = [null, true, -1, 0, 1.5, 1e12, "", "x", "../../etc/passwd", [], {}, [1, "a"], { unknown: 1 }, "http://169.254.169.254/"];

/** Applies one random change at a random path: delete, replace with an odd value, add an unknown key, rename. */
function mutate(root: Json, random: () => number): { value: Json; at: (string | number)[] } {
  const value = structuredClone(root);
  const all = paths(value);
  const at = all[Math.floor(random() * all.length)] ?? [];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  if (at.length === 0) return { value: pick(ODD_VALUES), at };
  let parent: Json = value;
  for (const k of at.slice(0, -1)) parent = (parent as Record<string | number, Json>)[k] as Json;
  const key = at[at.length - 1] as string | number;
  const p = parent as Record<string | number, Json>;
  const op = Math.floor(random() * 4);
  if (op === 0 && !Array.isArray(parent)) delete p[key];
  else if (op === 1 && p[key] !== null && typeof p[key] === "object" && !Array.isArray(p[key]))
    (p[key] as Record<string, Json>)[pick(["extra", "url", "__proto__x", "Targets"])] = pick(ODD_VALUES);
  else if (op === 2 && !Array.isArray(parent)) {
    const v = p[key] as Json;
    delete p[key];
    p[pick(["renamed", "x y", "", "a/../b"])] = v;
  } else {
    p[key] = pick(ODD_VALUES);
  }
  return { value, at };
}

describe("router config mutations", () => {
  it("the base config is valid", () => {
    expect(parseRouterConfig(VALID).ok).toBe(true);
  });

  it("400 seeded mutations (1 to 3 changes each): accepted, or rejected with path-specific messages, never a throw", () => {
    const random = prng(20260);
    let rejected = 0;
    for (let i = 0; i < 400; i++) {
      let cfg: Json = VALID;
      let rootTouched = false;
      const n = 1 + Math.floor(random() * 3);
      for (let j = 0; j < n; j++) {
        const m = mutate(cfg, random);
        cfg = m.value;
        if (m.at.length === 0) rootTouched = true;
      }
      let r: ReturnType<typeof parseRouterConfig> | undefined;
      expect(() => (r = parseRouterConfig(cfg)), JSON.stringify(cfg)).not.toThrow();
      if (!r || r.ok) continue;
      rejected++;
      for (const p of r.problems) {
        expect(p.message.length, JSON.stringify(p)).toBeGreaterThan(0);
        // An unknown top-level key is reported on the object that holds it (the root), naming the key.
        const rootIsTheProblem = rootTouched || cfg === null || typeof cfg !== "object" || Array.isArray(cfg) || /^Unrecognized key/.test(p.message);
        if (!rootIsTheProblem) expect(p.path, `${JSON.stringify(p)} for ${JSON.stringify(cfg)}`).not.toBe("(root)");
      }
    }
    // The mutations are real: most are rejected.
    expect(rejected).toBeGreaterThan(200);
  });

  it.each(["x", "", "http://", "10.0.0.11:8000", "http://h:1/?q=1", "http://h:1/#f"])("a backend url %j is rejected with its path, never thrown", (url) => {
    const cfg = structuredClone(VALID) as { backends: Record<string, { url: string }> };
    cfg.backends["spark-vllm"]!.url = url;
    const r = parseRouterConfig(cfg);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.path)).toContain("backends.spark-vllm.url");
  });

  it("truncated or garbled files are one problem at the root, never a throw", async () => {
    const text = JSON.stringify(VALID);
    const random = prng(7);
    for (let i = 0; i < 100; i++) {
      const cut = text.slice(0, Math.floor(random() * text.length));
      const r = await loadText(cut + (i % 2 ? "\u0000" : ""));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.problems[0]?.path).toBe("(root)");
    }
  });

  it("a hot reload of a rejected file keeps serving the old table, and /status.json shows the rejection", async () => {
    const w = await watchedRouter();
    const { vllm, run, file, watcher } = w;
    try {
      await until(() => run.router.registry.get("a")?.health === "up", "probe");
      await writeFile(
        file,
        JSON.stringify({ backends: { a: { engine: "vllm", url: vllm.url } }, aliases: { coder: { targets: [{ backend: "nowhere", model: "m" }] } } }),
      );
      await watcher.reload();
      const status = (await (await fetch(`${run.url}/status.json`)).json()) as { config?: { rejected?: { problems: { path: string }[] } } };
      expect(JSON.stringify(status)).toContain("aliases.coder.targets[0].backend");
      const res = await post(`${run.url}/v1/chat/completions`, { model: "coder", messages: [{ role: "user", content: "hi" }] });
      expect(res.status).toBe(200);
      expect(res.backend).toBe("a");
    } finally {
      await w.close();
    }
  });
});
