// Replacement detection per input, on synthetic before/after captures.
import { describe, expect, it } from "vitest";
import { diffCaptures, disruptiveReplacements } from "../../../scripts/plan/diff.js";
import { renderReport } from "../../../scripts/plan/report.js";
import type { CapturedResource, Json } from "../../../scripts/plan/types.js";
import { container, syntheticCapture } from "./fixtures.js";

const base = { ref: "main", commit: "0123456789ab" };

const containerCases: [string, string, Json, boolean][] = [
  ["image", "image", "ollama/ollama:0.13.0", true],
  ["env value", "envs", ["OLLAMA_HOST=0.0.0.0:11500"], true],
  ["ports", "ports", [{ internal: 11434, external: 11436 }], true],
  ["volumes", "volumes", [{ volumeName: "models-2", containerPath: "/root/.ollama" }], true],
  ["command", "command", ["serve", "--verbose"], true],
  ["entrypoint", "entrypoints", ["/bin/sh", "-c"], true],
  ["labels", "labels", [{ label: "aistack.role", value: "engine" }], true],
  ["GPU request", "gpus", "all", true],
  ["network mode", "networkMode", "host", true],
  ["ipc mode", "ipcMode", "host", true],
  ["extra hosts", "hosts", [{ host: "host.docker.internal", ip: "host-gateway" }], true],
  ["uploads", "uploads", [{ file: "/etc/x.json", content: "{}" }], true],
  ["restart policy", "restart", "always", false],
  ["healthcheck", "healthcheck", { tests: ["CMD", "true"], interval: "5s" }, false],
  ["must run", "mustRun", false, false],
  ["memory limit", "memory", 2048, false],
];

describe("a docker Container", () => {
  it.each(containerCases)("changing its %s (%s) replaces it: %s", (_what, input, value, replaces) => {
    const before = syntheticCapture([container("engine")]);
    const after = syntheticCapture([container("engine", { [input]: value })]);
    const diff = diffCaptures(before, after);
    expect(diff.resources).toHaveLength(1);
    expect(diff.resources[0]?.changed[0]?.split(".")[0]).toBe(input);
    expect(disruptiveReplacements(diff).length).toBe(replaces ? 1 : 0);
    const report = renderReport(after, diff, base, before);
    if (replaces) {
      expect(report).toContain("> [!WARNING]\n> ⚠ REPLACES container `engine` on `box`");
      expect(report).not.toContain("No container replaced.");
    } else {
      expect(report).toContain("No container replaced.");
      expect(report).toContain("— updated in place");
    }
  });

  it("names the env entries that changed", () => {
    const before = syntheticCapture([container("engine", { envs: ["A=1", "B=2", "C=3"] })]);
    const after = syntheticCapture([container("engine", { envs: ["A=1", "B=20", "D=4"] })]);
    const report = renderReport(after, diffCaptures(before, after), base, before);
    expect(report).toContain("forced by envs (B, -C, +D)");
  });

  it("is replaced when it moves to another host's provider", () => {
    const before = syntheticCapture([container("engine")]);
    const after = syntheticCapture([{ ...container("engine"), provider: "hosts-other" }]);
    expect(disruptiveReplacements(diffCaptures(before, after)).map((r) => r.replacing)).toEqual([["provider"]]);
  });

  it("is replaced when its host's provider now points at another address", () => {
    const before = syntheticCapture([container("engine")]);
    const after = syntheticCapture([container("engine")]);
    after.resources[0] = { ...after.resources[0]!, inputs: { host: "ssh://root@10.9.9.10:22" } };
    const diff = diffCaptures(before, after);
    expect(disruptiveReplacements(diff).map((r) => [r.name, r.replacing])).toEqual([["engine", ["provider"]]]);
    expect(renderReport(after, diff, base, before)).toContain("⚠ REPLACES container `engine`");
  });

  it("is left alone when another host's provider changes", () => {
    const before = syntheticCapture([container("engine")]);
    const after = syntheticCapture([container("engine")]);
    after.resources.push({ type: "pulumi:providers:docker", name: "hosts-other", inputs: { host: "ssh://root@10.9.9.11:22" } });
    expect(disruptiveReplacements(diffCaptures(before, after))).toEqual([]);
  });
});

const other = (type: string, name: string, inputs: Record<string, Json>): CapturedResource => ({ type, name, provider: "hosts-box", inputs });

const otherCases: [string, CapturedResource, Record<string, Json>, boolean, boolean][] = [
  ["RemoteImage name", other("docker:index/remoteImage:RemoteImage", "img", { name: "a:1", keepLocally: true }), { name: "a:2" }, true, false],
  ["RemoteImage keepLocally", other("docker:index/remoteImage:RemoteImage", "img", { name: "a:1", keepLocally: true }), { keepLocally: false }, false, false],
  ["Volume name", other("docker:index/volume:Volume", "vol", { name: "models" }), { name: "models-2" }, true, true],
  ["Volume labels", other("docker:index/volume:Volume", "vol", { name: "models" }), { labels: [{ label: "a", value: "b" }] }, true, true],
  [
    "remote Command triggers",
    other("command:remote:Command", "cfg", { create: "cat > f", stdin: "a", triggers: ["h1"] }),
    { stdin: "b", triggers: ["h2"] },
    true,
    false,
  ],
  ["remote Command create", other("command:remote:Command", "cfg", { create: "cat > f", stdin: "a", triggers: ["h1"] }), { create: "cat > g" }, false, false],
  ["local Command triggers", other("command:local:Command", "cfg", { create: "cat > f", triggers: ["h1"] }), { triggers: ["h2"] }, true, false],
  [
    "IngressRoute name",
    other("kubernetes:traefik.io/v1alpha1:IngressRoute", "route", { kind: "IngressRoute", metadata: { name: "a", namespace: "n" }, spec: { routes: [] } }),
    { metadata: { name: "b", namespace: "n" } },
    true,
    false,
  ],
  [
    "IngressRoute rules",
    other("kubernetes:traefik.io/v1alpha1:IngressRoute", "route", { kind: "IngressRoute", metadata: { name: "a", namespace: "n" }, spec: { routes: [] } }),
    { spec: { routes: [{ match: "Host(`x`)" }] } },
    false,
    false,
  ],
];

describe.each(otherCases)("%s", (_what, resource, change, replaces, disruptive) => {
  it(`${replaces ? "replaces" : "updates"} the resource${disruptive ? " (disruptive)" : ""}`, () => {
    const before = syntheticCapture([resource]);
    const after = syntheticCapture([{ ...resource, inputs: { ...resource.inputs, ...change } }]);
    const diff = diffCaptures(before, after);
    expect(diff.resources).toHaveLength(1);
    expect((diff.resources[0]?.replacing.length ?? 0) > 0).toBe(replaces);
    expect(disruptiveReplacements(diff).length > 0).toBe(disruptive);
    expect(renderReport(after, diff, base, before)).toContain("No container replaced.");
  });
});

describe("added and removed resources", () => {
  it("are listed with their host, and are not replacements", () => {
    const before = syntheticCapture([container("old")]);
    const after = syntheticCapture([container("new")]);
    const diff = diffCaptures(before, after);
    const report = renderReport(after, diff, base, before);
    expect(report).toContain("**Added** (1)\n\n- `new` (docker:Container, on `box`)");
    expect(report).toContain("**Removed** (1)\n\n- `old` (docker:Container, on `box`)");
    expect(disruptiveReplacements(diff)).toEqual([]);
  });
});
