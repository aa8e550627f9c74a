// RouterDeployment keeps the type token of the component it was before its rename (`Router`), so a
// deployed stack's router and its children keep their URNs: no delete-and-create on the next `up`.
import type * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { loadStackConfig } from "../../../infra/config/load.js";
import { DockerHosts } from "../../../infra/components/dockerHosts.js";
import { RouterDeployment } from "../../../infra/components/router.js";
import { stackSpec } from "../../../infra/specs/stack.js";
import { readStackFile, runProgram, testHome, withSecrets } from "../harness.js";

function urnOf(r: pulumi.Resource): Promise<string> {
  return new Promise((resolve) => r.urn.apply(resolve));
}

describe("RouterDeployment", () => {
  it("has the URNs the router component had as `Router`", async () => {
    await runProgram(withSecrets(readStackFile("home"))); // installs the mocks and the home stack's config
    const cfg = loadStackConfig();
    const plan = stackSpec(cfg, testHome);
    const hosts = new DockerHosts("hosts", { hosts: cfg.hosts, used: plan.containers.map((c) => c.host) });
    const router = new RouterDeployment("router", {
      containers: plan.containers.filter((c) => c.kind === "router"),
      deliveries: plan.routerConfigs,
      providers: hosts,
    });
    expect(await urnOf(router)).toBe("urn:pulumi:test::aistack::aistack:router:Router::router");
    expect(await Promise.all(router.configDeliveries.map(urnOf))).toEqual(
      cfg.router.hosts.map((h) => `urn:pulumi:test::aistack::aistack:router:Router$command:remote:Command::router-${h}-config`),
    );
    expect(await Promise.all(router.containers.map(urnOf))).toEqual(
      cfg.router.hosts.map((h) => `urn:pulumi:test::aistack::aistack:router:Router$docker:index/container:Container::router-${h}`),
    );
  });
});
