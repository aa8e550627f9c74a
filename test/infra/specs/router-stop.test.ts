// A stopping router drains: SIGTERM makes it finish the requests in flight for up to drainMs before it
// exits. Docker's default stop timeout (10 s) and the Docker provider's immediate removal on replace
// would kill it in the middle of that, so the container gets drainMs plus a margin, both ways.
import { describe, expect, it } from "vitest";
import { DEFAULT_DRAIN_MS, parseRouterConfig } from "../../../router/config/schema.js";
import { validateStackConfig } from "../../../infra/config/load.js";
import { renderRouterConfig } from "../../../infra/specs/routerConfig.js";
import { byType, readStackFile, runProgram, withSecrets } from "../harness.js";

function homeWith(router: Record<string, unknown>): Record<string, unknown> {
  const values = withSecrets(readStackFile("home"));
  return { ...values, router: { ...(values.router as object), ...router } };
}

function containers(run: Awaited<ReturnType<typeof runProgram>>, prefix: string): Record<string, unknown>[] {
  return byType(run, "docker:index/container:Container")
    .filter((c) => c.name.startsWith(prefix))
    .map((c) => c.inputs);
}

describe("router stop timeout", () => {
  it("gives each router container the router's default drain plus a margin when drainMs is not set", async () => {
    const run = await runProgram(withSecrets(readStackFile("home")));
    const routers = containers(run, "router-");
    expect(routers).toHaveLength(2);
    for (const c of routers) {
      expect(c.stopTimeout as number).toBeGreaterThan(DEFAULT_DRAIN_MS / 1000);
      expect(c.destroyGraceSeconds).toBe(c.stopTimeout);
    }
  });

  it("follows router.drainMs from the stack config, and the rendered router config carries it", async () => {
    const run = await runProgram(homeWith({ drainMs: 95_500 }));
    for (const c of containers(run, "router-")) {
      expect(c.stopTimeout as number).toBeGreaterThanOrEqual(96);
      expect(c.stopTimeout as number).toBeLessThanOrEqual(96 + 30);
      expect(c.destroyGraceSeconds).toBe(c.stopTimeout);
    }
    const r = validateStackConfig({ values: homeWith({ drainMs: 95_500 }), secretKeys: new Set(["secrets"]) });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const rendered = renderRouterConfig(r.config, "unraid");
    const parsed = parseRouterConfig(rendered);
    expect(parsed.ok && parsed.config.drainMs).toBe(95_500);
  });

  it("leaves other containers at Docker's defaults", async () => {
    const run = await runProgram(withSecrets(readStackFile("home")));
    for (const c of byType(run, "docker:index/container:Container").filter((c) => !c.name.startsWith("router-"))) {
      expect(c.inputs.stopTimeout).toBeUndefined();
    }
  });

  it("rejects a drainMs that is not a whole number of milliseconds", () => {
    const r = validateStackConfig({ values: homeWith({ drainMs: "30s" }), secretKeys: new Set(["secrets"]) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.path)).toContain("router.drainMs");
  });
});
