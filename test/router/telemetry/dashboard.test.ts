// docs/grafana/aistack.json imports as is into any Grafana (a data source variable, no data source UID
// written in it) and asks only for metrics the router exports; docs/observability.md documents every
// metric the router exports. Whether each query returns data is the e2e suite's
// (test/e2e/prometheus-dashboard.test.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RouterMetrics } from "../../../router/telemetry/metrics.js";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const dashboard = JSON.parse(readFileSync(join(ROOT, "docs", "grafana", "aistack.json"), "utf8")) as {
  panels: { type: string; title: string; datasource?: { uid: string }; targets?: { expr: string; datasource?: { uid: string } }[] }[];
  templating: { list: { name: string; type: string; query: unknown }[] };
};
const exported = new RouterMetrics().registry.getMetricsAsArray().map((m) => m.name);

/** The metric names a PromQL expression reads (histogram series by their base name). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b(router_[a-z_]+)/g)].map((m) => (m[1] as string).replace(/_(bucket|sum|count)$/, ""));
}

describe("the Grafana dashboard", () => {
  const panels = dashboard.panels.filter((p) => p.type !== "row");

  it("takes its data source from a variable and writes no data source UID", () => {
    expect(dashboard.templating.list.find((v) => v.name === "datasource")).toMatchObject({ type: "datasource", query: "prometheus" });
    for (const p of panels) {
      expect(p.datasource?.uid, p.title).toBe("${datasource}");
      for (const t of p.targets ?? []) expect(t.datasource?.uid, p.title).toBe("${datasource}");
    }
  });

  it("asks only for metrics the router exports, and shows every per-model one", () => {
    const used = new Set(panels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricsIn(t.expr))));
    for (const m of used) expect(exported, m).toContain(m);
    const perModel = new RouterMetrics().registry.getMetricsAsArray().filter((m) => (m as unknown as { labelNames: string[] }).labelNames.includes("model"));
    expect(perModel.length).toBeGreaterThan(8);
    for (const m of perModel) if (m.name !== "router_backend_declared_model_missing") expect([...used], m.name).toContain(m.name);
  });

  it("has a row for each concern", () => {
    expect(dashboard.panels.filter((p) => p.type === "row").map((p) => p.title)).toEqual([
      "Traffic and errors per alias",
      "Time to first token and speed per model",
      "Tokens per model",
      "Loads and residency per backend",
      "Backend health and queues",
    ]);
  });
});

describe("docs/observability.md", () => {
  it("documents every metric the router exports", () => {
    const doc = readFileSync(join(ROOT, "docs", "observability.md"), "utf8");
    for (const m of exported) expect(doc, m).toContain(`| \`${m}\` |`);
  });
});
