// The Grafana dashboard (docs/grafana/aistack.json) against a real Prometheus: it scrapes a router
// that serves a short mixed workload — every face, streamed and whole, on the engine fakes of every
// kind and on the real Ollama — and then every query of every panel must return at least one series,
// and the token totals Prometheus has must equal what the engines reported for the workload.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRouterConfig } from "../../router/config/schema.js";
import { Router } from "../../router/server.js";
import { stopAll } from "../../scripts/lib/child.js";
import { startFakeEngine, type FakeEngine } from "../../tools/fakes/index.js";
import { startEngine } from "./engine.js";
import { e2eEnv } from "./env.js";
import { eventually } from "./http.js";
import { asGrafanaWouldRun, dashboardQueries, startPrometheus, type Prometheus } from "./prometheus.js";
import { runWorkload, type Sent } from "./workload.js";

const binary = process.env.AISTACK_E2E_PROMETHEUS_BIN;
if (!binary)
  process.stderr.write(`[e2e] dashboard suite skipped: ${process.env.AISTACK_E2E_PROMETHEUS_ABSENT ?? "no Prometheus binary (run through npm run e2e)"}\n`);

const DASHBOARD = join(import.meta.dirname, "..", "..", "docs", "grafana", "aistack.json");
const reply = () => ({ content: "one two three four five", promptTokens: 7, completionTokens: 5 });

describe.skipIf(!binary)("the dashboard against a real Prometheus", () => {
  const fakes: FakeEngine[] = [];
  let router: Router;
  let routerUrl: string;
  let prom: Prometheus;
  let sent: Sent;
  /** When the workload was over (seconds since the epoch). */
  let workloadEnd = 0;

  beforeAll(async () => {
    const env = e2eEnv();
    const { server: ollama } = await startEngine(env, "prometheus-dashboard");
    const fake = async (o: Parameters<typeof startFakeEngine>[0]): Promise<FakeEngine> => {
      const f = await startFakeEngine(o);
      fakes.push(f);
      return f;
    };
    const vllm = await fake({ engine: "vllm", models: ["m"], reply, promptTokensDetails: true, chunkDelayMs: 2 });
    const llamacpp = await fake({ engine: "llamacpp", models: ["m.gguf"], reply });
    const fakeOllama = await fake({ engine: "ollama", models: ["a", "b"], loaded: [], loadDelayMs: 100, maxLoadedModels: 1, reply, anthropic: true });
    const broken = await fake({ engine: "vllm", models: ["m"], reply });
    // 503: a failure the passive health counts (a 500 is not held against the backend, proxy/classify.ts).
    broken.faults.set({ mode: "status", status: 503 });
    const parsed = parseRouterConfig({
      listen: { host: "127.0.0.1", port: 0 },
      backends: {
        vllm: { engine: "vllm", url: vllm.url },
        llamacpp: { engine: "llamacpp", url: llamacpp.url },
        "fake-ollama": { engine: "ollama", url: fakeOllama.url, maxConcurrency: 1 },
        ollama: { engine: "ollama", url: ollama.url, maxConcurrency: 1 },
        broken: { engine: "vllm", url: broken.url },
      },
      aliases: {
        v: { targets: [{ backend: "vllm", model: "m" }] },
        l: { targets: [{ backend: "llamacpp", model: "m.gguf" }] },
        oa: { targets: [{ backend: "fake-ollama", model: "a" }] },
        ob: { targets: [{ backend: "fake-ollama", model: "b" }] },
        real: { targets: [{ backend: "ollama", model: env.models[0] }] },
        broken: { targets: [{ backend: "broken", model: "m" }] },
      },
      health: { intervalMs: 100, timeoutMs: 1_000, maxIntervalMs: 500 },
      retries: { max: 0 },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    router = new Router({ config: parsed.config, logSink: () => undefined });
    routerUrl = await router.listen(0, "127.0.0.1");
    const dir = join(env.workDir, "prometheus");
    mkdirSync(dir, { recursive: true });
    prom = await startPrometheus(binary as string, dir, new URL(routerUrl).host);
    sent = await runWorkload(routerUrl, {
      fakes: { v: "vllm", l: "llamacpp", oa: "fake-ollama", ob: "fake-ollama" },
      ollamaFake: "fake-ollama",
      real: ["real", "ollama"],
      broken: "broken",
    });
    workloadEnd = Date.now() / 1000;
  }, 300_000);

  afterAll(async () => {
    await router?.close(0);
    for (const f of fakes) await f.stop();
    await stopAll();
  });

  it("has the token totals the engines reported for the workload", async () => {
    const totals = async (): Promise<Map<string, number>> =>
      new Map((await prom.query("sum by (backend, kind) (router_tokens_total)")).map((s) => [`${s.metric.backend} ${s.metric.kind}`, Number(s.value[1])]));
    const want = new Map<string, number>();
    for (const [backend, u] of Object.entries(sent.tokens)) {
      want.set(`${backend} prompt`, u.prompt);
      want.set(`${backend} completion`, u.completion);
    }
    // Prometheus has the totals once it scraped the router after the workload (every second).
    const have = await eventually(
      "Prometheus to scrape the workload's tokens",
      async () => {
        const t = await totals();
        return [...want].every(([k, v]) => t.get(k) === v) ? t : undefined;
      },
      30_000,
    ).catch(async () => totals());
    for (const [k, v] of want) expect(have.get(k), k).toBe(v);
    process.stderr.write(`[e2e] tokens in Prometheus: ${[...have].map(([k, v]) => `${k}=${v}`).join(", ")}\n`);
    // The real engine's own numbers: nothing assumed, and more than nothing.
    expect(sent.tokens.ollama?.completion).toBeGreaterThan(0);
    // The one answer without usage is counted as unknown, not as zero.
    const unknown = await prom.query('sum(router_usage_unknown_total{reason="absent"})');
    expect(Number(unknown[0]?.value[1])).toBe(sent.unknown);
  });

  it("returns at least one series for every query of every panel", async () => {
    const queries = dashboardQueries(DASHBOARD);
    expect(queries.length).toBeGreaterThan(15);
    // A rate needs two samples of a series: wait until the router was scraped successfully three more
    // times after the workload (a scrape can time out on a busy machine), so that the series it
    // created at its very end have them.
    await eventually(
      "three successful scrapes after the workload",
      async () => {
        const since = Math.max(1, Math.ceil(Date.now() / 1000 - workloadEnd));
        const ok = await prom.query(`sum_over_time(up{job="aistack-router"}[${since}s])`);
        return Number(ok[0]?.value[1] ?? 0) >= 3 ? true : undefined;
      },
      90_000,
    );
    const empty: string[] = [];
    for (const q of queries) {
      const result = await prom.query(asGrafanaWouldRun(q.expr));
      if (result.length === 0) empty.push(`${q.panel}: ${q.expr}`);
    }
    const scrapes = async (q: string): Promise<string> => (await prom.query(q))[0]?.value[1] ?? "none";
    const seen = `scrapes in the last minute: ${await scrapes('count_over_time(up{job="aistack-router"}[1m])')}, successful: ${await scrapes('sum_over_time(up{job="aistack-router"}[1m])')}`;
    expect(empty, seen).toEqual([]);
    process.stderr.write(`[e2e] ${queries.length} dashboard queries, each returned data\n`);
  });
});
