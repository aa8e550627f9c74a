// The ingress spec's behaviour when a router stops (e2e:lab check 3 holds it against a real Traefik).
import { describe, expect, it } from "vitest";
import { validateStackConfig } from "../../../infra/config/load.js";
import { ingressSpec } from "../../../infra/specs/ingress.js";
import { readStackFile, withSecrets } from "../harness.js";

function config(routerHosts?: string[]) {
  const values = withSecrets(readStackFile("home"));
  if (routerHosts) values.router = { ...(values.router as object), hosts: routerHosts };
  const r = validateStackConfig({ values, secretKeys: new Set(["secrets"]) });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

interface Route {
  match: string;
  middlewares?: { name: string; namespace: string }[];
  services: { kind: string; name: string; healthCheck?: unknown }[];
}

function routes(spec: ReturnType<typeof ingressSpec>): Route[] {
  return (spec?.ingressRoute.spec as { routes: Route[] }).routes;
}

describe("ingress with a router stopped", () => {
  it("retries a failed connection on the other routers on every route to the routers, and only there", () => {
    const spec = ingressSpec(config());
    expect(spec?.routerRetry).toEqual({ name: "router-retry", spec: { retry: { attempts: 4, initialInterval: "100ms" } } });
    const rs = routes(spec);
    const toRouter = rs.filter((r) => r.services.some((s) => s.name === "router"));
    expect(toRouter).toHaveLength(2);
    for (const r of toRouter) expect(r.middlewares).toEqual([{ name: "router-retry", namespace: "aistack" }]);
    expect(rs.find((r) => r.services.some((s) => s.name === "open-webui"))?.middlewares).toBeUndefined();
  });

  // A child's healthCheck empties only that child's load balancer; the weighted parent keeps picking it
  // and it answers 503, which the retry middleware does not retry.
  it("lets no weighted child of the router balancer rely on a health check", () => {
    const weighted = (ingressSpec(config())?.routerBalancer?.spec.weighted as { services: Record<string, unknown>[] }).services;
    expect(weighted.map((s) => s.name)).toEqual(["router-unraid", "router-dev"]);
    for (const s of weighted) {
      expect(s).not.toHaveProperty("healthCheck");
      expect(s).not.toHaveProperty("passiveHealthCheck");
    }
  });

  it("with one router, routes straight to its service and still retries (a restart's refused connection)", () => {
    const spec = ingressSpec(config(["dev"]));
    expect(spec?.routerBalancer).toBeUndefined();
    expect(spec?.routerRetry.spec).toEqual({ retry: { attempts: 2, initialInterval: "100ms" } });
    const toRouter = routes(spec).filter((r) => r.services.some((s) => s.name === "router-dev"));
    expect(toRouter).toHaveLength(2);
    for (const r of toRouter) {
      expect(r.middlewares).toEqual([{ name: "router-retry", namespace: "aistack" }]);
      expect(r.services).toEqual([{ kind: "Service", name: "router-dev", namespace: "aistack", port: 4000 }]);
    }
  });
});
