// Every stack renders the same report twice, grouped by host, with its alias table.
import { describe, expect, it } from "vitest";
import { diffCaptures } from "../../../scripts/plan/diff.js";
import { renderReport } from "../../../scripts/plan/report.js";
import { stackNames } from "../../infra/harness.js";
import { capture } from "./fixtures.js";

describe.each(stackNames)("stack %s", (stack) => {
  it("renders identically twice, with and without a base", async () => {
    const first = await capture(stack);
    const second = await capture(stack);
    expect(renderReport(second)).toBe(renderReport(first));
    const base = { ref: "main", commit: "0123456789ab" };
    expect(renderReport(second, diffCaptures(first, second), base, first)).toBe(renderReport(first, diffCaptures(second, first), base, second));
  });

  it("groups containers under their host and lists every alias with its targets in order", async () => {
    const c = await capture(stack);
    const report = renderReport(c);
    const lines = report.split("\n");
    for (const h of c.hosts.filter((h) => c.resources.some((r) => r.provider === `hosts-${h.name}`))) expect(lines).toContain(`### Host \`${h.name}\``);
    for (const r of c.resources.filter((r) => r.type === "docker:index/container:Container")) {
      expect(report).toContain(`- **\`${r.name}\`** — image \`${JSON.stringify(r.inputs.image).slice(1, -1)}\``);
    }
    const table = Object.values(c.aliases)[0] ?? {};
    expect(Object.keys(table).length).toBeGreaterThan(0);
    for (const [alias, targets] of Object.entries(table)) {
      expect(lines).toContain(`| \`${alias}\` | ${targets.map((t) => `${t.model} @ ${t.backend}`).join(", ")} |`);
    }
  });

  it("against itself reports no change and no replacement", async () => {
    const a = await capture(stack);
    const b = await capture(stack);
    const report = renderReport(b, diffCaptures(a, b), { ref: "main", commit: "0123456789ab" }, a);
    expect(report).toContain("No alias changed.");
    expect(report).toContain("No container replaced.");
    expect(report).toContain("No resource added, removed or changed.");
  });
});

describe("the home stack", () => {
  it("shows the ingress rules, GPU requests and config delivery", async () => {
    const report = renderReport(await capture("home"));
    expect(report).toContain("- IngressRoute `aistack/aistack`: entry points `websecure`, TLS via `letsencrypt`");
    expect(report).toContain("  - priority 100 → TraefikService `router` via `router-retry`");
    expect(report).toContain("  - priority 1 → Service `open-webui`:8080\n");
    expect(report).toContain("    Host(`llm.mywebsite.com`)");
    expect(report).toContain("- TraefikService `aistack/router`: weighted over Service `router-unraid`:4000, Service `router-dev`:4000\n");
    expect(report).toContain("- Middleware `aistack/router-retry`: retry, 4 attempts from 100ms apart");
    expect(report).toContain("  - GPUs: `device=0,1`");
    expect(report).toMatch(/- `router-dev-config` \(remote command\): writes `\/opt\/aistack\/router\/router\.json`, content `sha256:[0-9a-f]{12}…`/);
    // The build context is absolute for the provider, and shown relative to the project wherever it lives.
    expect(report).toContain("`aistack-router:local` (built from `./router/Dockerfile`)");
    const build = (await capture("home")).resources.find((r) => r.type === "docker:index/image:Image")?.inputs.build;
    expect(build).toMatchObject({ context: ".", dockerfile: "./router/Dockerfile" });
    expect(report).toContain("- `qwen3-coder:30b` in `dev-ollama` (`dev-ollama-model-qwen3-coder:30b`: pulled unless present)");
  });
});
