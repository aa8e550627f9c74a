// A real Prometheus for the dashboard's check: it scrapes the router every second on loopback, and
// answers PromQL through its HTTP API (/api/v1/query).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, start, waitForHttp, type Started } from "../../scripts/lib/child.js";

export interface Prometheus {
  url: string;
  proc: Started;
  /** The result of an instant query: one entry per series. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
}

export async function startPrometheus(binary: string, dir: string, target: string): Promise<Prometheus> {
  mkdirSync(join(dir, "data"), { recursive: true });
  const config = join(dir, "prometheus.yml");
  writeFileSync(
    config,
    [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 1s",
      "  evaluation_interval: 1s",
      "scrape_configs:",
      "  - job_name: aistack-router",
      "    static_configs:",
      `      - targets: ["${target}"]`,
      "",
    ].join("\n"),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = start(
    binary,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    {
      logFile: join(dir, "prometheus.log"),
    },
  );
  await waitForHttp(proc, `${url}/-/ready`, 60_000, "prometheus");
  return {
    url,
    proc,
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`, { signal: AbortSignal.timeout(30_000) });
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (body.status !== "success" || !body.data) throw new Error(`${expr}: ${body.error ?? res.status}`);
      return body.data.result;
    },
  };
}

/** Every query of every panel of a Grafana dashboard, with its panel's title. */
export function dashboardQueries(file: string): { panel: string; expr: string }[] {
  const dash = JSON.parse(readFileSync(file, "utf8")) as {
    panels: { title: string; targets?: { expr: string }[]; panels?: { title: string; targets?: { expr: string }[] }[] }[];
  };
  const all = dash.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  return all.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
}

/** Grafana's variables as a query would run with "All" selected over the last ten minutes. */
export function asGrafanaWouldRun(expr: string): string {
  return expr.replaceAll("$__rate_interval", "1m").replaceAll("$__range", "10m").replaceAll("$alias", ".*").replaceAll("$backend", ".*");
}
