// The desired state of the committed stack files, and that it is what the program itself declares:
// the same containers with the same env digests, ports, volumes, restart policy and GPU request.
import { describe, expect, it } from "vitest";
import { desiredState, envDigest, gpuText } from "../../../scripts/drift/desired.js";
import { parsePulumiConfigJson, validated, withProjectDefaults } from "../../../scripts/drift/stackConfig.js";
import { byType, envOf, project, readStackFile, runProgram, testHome, withSecrets } from "../../infra/harness.js";
import { desiredOf } from "./stacks.js";

describe("the desired state of stacks/Pulumi.home.yaml", () => {
  const home = desiredOf("home");
  const host = (name: string) => home.hosts.find((h) => h.name === name);

  it("groups each container under the host the stack puts it on, reached as the provider reaches it", () => {
    expect(home.labels).toEqual({ "aistack.project": "aistack", "aistack.stack": "home" });
    expect(home.hosts.map((h) => [h.name, h.docker, h.containers.map((c) => c.name)])).toEqual([
      ["dev", "ssh://root@10.0.0.8:22", ["dev-ollama", "router-dev"]],
      ["spark-1", "ssh://nvidia@10.0.0.11:22", ["spark-vllm-head"]],
      ["spark-2", "ssh://nvidia@10.0.0.12:22", ["spark-vllm-worker-1"]],
      ["unraid", "ssh://root@10.0.0.10:22", ["unraid-ollama", "open-webui", "kokoro", "router-unraid"]],
    ]);
  });

  it("carries image, env by digest, ports, mounts, restart policy and GPU request", () => {
    const ollama = host("unraid")?.containers.find((c) => c.name === "unraid-ollama");
    expect(ollama).toMatchObject({
      image: "ollama/ollama:0.12.6",
      ports: [{ internal: 11434, external: 11435 }],
      mounts: [{ type: "volume", source: "unraid-ollama-models", target: "/root/.ollama", readOnly: false }],
      restart: "unless-stopped",
      gpus: "device=0,1",
    });
    expect(ollama?.env.OLLAMA_KEEP_ALIVE).toEqual({ sha256: envDigest("30m"), value: "30m" });
    const router = host("dev")?.containers.find((c) => c.name === "router-dev");
    expect(router).toMatchObject({
      image: "aistack-router:local",
      command: ["--config", "/etc/aistack/router.json"],
      mounts: [{ type: "bind", source: "/opt/aistack/router", target: "/etc/aistack", readOnly: true }],
    });
  });

  it("keeps only the digest of a secret", () => {
    const webui = host("unraid")?.containers.find((c) => c.name === "open-webui");
    expect(webui?.env.WEBUI_SECRET_KEY).toEqual({ sha256: envDigest("plan-placeholder-secrets.webuiSecretKey") });
    expect(host("spark-1")?.containers[0]?.env.HF_TOKEN).toEqual({ sha256: envDigest("plan-placeholder-secrets.hfToken") });
    expect(JSON.stringify(home)).not.toContain("plan-placeholder");
  });

  it("lists each Ollama's declared models, what vLLM serves, and the router config each router host receives", () => {
    expect(host("unraid")?.ollama).toEqual([
      { backend: "unraid-ollama", container: "unraid-ollama", url: "http://10.0.0.10:11435", models: ["Qwen3.5-27b", "qwen3-coder:30b"] },
    ]);
    expect(host("spark-1")?.served).toEqual([
      { backend: "spark-vllm", engine: "vllm", container: "spark-vllm-head", url: "http://10.0.0.11:8000", models: ["MiniMax-M2.5"] },
    ]);
    expect(host("spark-2")?.served).toEqual([]);
    expect(host("unraid")?.routers).toEqual([
      {
        container: "router-unraid",
        url: "http://10.0.0.10:4000",
        file: "/opt/aistack/router/router.json",
        // The content hash the plan shows for the same stack (docs/plan.md).
        sha256: expect.stringMatching(/^46871d888963/) as unknown,
        urn: "urn:pulumi:home::aistack::aistack:router:Router$command:remote:Command::router-unraid-config",
      },
    ]);
  });
});

describe("the desired state of stacks/Pulumi.local.yaml", () => {
  it("reaches the local host through its socket, with paths under the home directory", () => {
    const local = desiredOf("local");
    expect(local.hosts.map((h) => [h.name, h.docker, h.ssh])).toEqual([["local", "unix:///var/run/docker.sock", undefined]]);
    const h = local.hosts[0];
    expect(h?.containers.map((c) => c.name)).toEqual(["local-ollama", "open-webui", "kokoro", "router-local"]);
    expect(h?.ollama).toEqual([{ backend: "local-ollama", container: "local-ollama", url: "http://localhost:11434", models: ["qwen3:0.6b"] }]);
    expect(h?.routers[0]).toMatchObject({
      url: "http://localhost:4000",
      file: `${testHome}/.aistack/router/router.json`,
      urn: expect.stringContaining("$command:local:Command::router-local-config") as unknown,
    });
  });
});

describe("the same containers the program declares", () => {
  it.each(["home", "local"])("%s", async (stack) => {
    const run = await runProgram(withSecrets(readStackFile(stack)));
    // Rendered from the same values and secrets the program got (as `pulumi config --json` lists them),
    // so every digest must match exactly.
    const values = withSecrets(readStackFile(stack));
    const json = JSON.stringify(
      Object.fromEntries(Object.entries(values).map(([k, v]) => [`${project}:${k}`, { value: JSON.stringify(v), objectValue: v, secret: k === "secrets" }])),
    );
    const desired = desiredState(validated(parsePulumiConfigJson(json, project), stack), { project, stack: "test", homeDir: testHome });
    const declared = desired.hosts.flatMap((h) => h.containers);
    const containers = byType(run, "docker:index/container:Container");
    expect(containers.map((r) => r.name).sort()).toEqual(declared.map((c) => c.name).sort());
    for (const r of containers) {
      const d = declared.find((c) => c.name === r.name);
      const env = envOf(r);
      expect(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, envDigest(v)]))).toEqual(
        Object.fromEntries(Object.entries(d?.env ?? {}).map(([k, v]) => [k, v.sha256])),
      );
      expect(r.inputs.ports).toEqual(d?.ports);
      expect(r.inputs.restart).toBe(d?.restart);
      const requests = (r.inputs.deviceRequests as { deviceIds?: string[]; count?: number }[] | undefined) ?? [];
      expect(requests.map(gpuText)[0]).toBe(d?.gpus);
      expect(r.inputs.labels).toEqual(Object.entries(desired.labels).map(([label, value]) => ({ label, value })));
      const volumes = (r.inputs.volumes as { volumeName?: string; hostPath?: string; containerPath: string; readOnly?: boolean }[]).map((v) =>
        v.volumeName
          ? { type: "volume", source: v.volumeName, target: v.containerPath, readOnly: false }
          : { type: "bind", source: v.hostPath, target: v.containerPath, readOnly: v.readOnly },
      );
      expect(volumes).toEqual(d?.mounts);
    }
    // The config delivery's URN names the component and the resource the program registers.
    for (const r of desired.hosts.flatMap((h) => h.routers)) {
      const [parentType, type] = r.urn.split("::")[2]?.split("$") ?? [];
      const name = r.urn.split("::").pop() ?? "";
      expect(run.resources.some((x) => x.name === name && x.type === type)).toBe(true);
      expect(run.resources.some((x) => x.name === "router" && x.type === parentType && !x.custom)).toBe(true);
    }
  });
});

describe("reading the stack config as the CLI lists it", () => {
  it("takes objectValue, marks secret keys, and fills the project's declared defaults", () => {
    const json = JSON.stringify({
      "aistack:hosts": { value: '{"local":{"kind":"local","gpus":"none"}}', objectValue: { local: { kind: "local", gpus: "none" } }, secret: false },
      "aistack:router": { value: "{}", objectValue: { hosts: ["local"], port: 4000, aliases: {} }, secret: false },
      "aistack:secrets": { value: '{"hfToken":"hf_x"}', objectValue: { hfToken: "hf_x_secret_value" }, secret: true },
      "pulumi:disable-default-providers": { value: '["*"]', objectValue: ["*"], secret: false },
    });
    const raw = parsePulumiConfigJson(json, project);
    expect([...raw.secretKeys]).toEqual(["secrets"]);
    expect(raw.values.hosts).toEqual({ local: { kind: "local", gpus: "none" } });
    expect(raw.values.backends).toBeUndefined();
    const filled = withProjectDefaults(
      raw,
      "name: aistack\nconfig:\n  backends:\n    type: object\n    default: {}\n  pulumi:disable-default-providers:\n    value: ['*']\n",
    );
    expect(filled.values.backends).toEqual({});
    expect(validated(filled, "x").secrets.hfToken).toBe("hf_x_secret_value");
  });

  it("reports every problem with its fix and never a value", () => {
    const raw = {
      values: { hosts: { a: { address: "10.0.0.1" } }, router: { hosts: ["b"], aliases: {} }, secrets: { hfToken: "hf_do_not_print" } },
      secretKeys: new Set(["secrets"]),
    };
    let message = "";
    try {
      validated(raw, "broken");
    } catch (err) {
      message = err instanceof Error ? err.message : "";
    }
    expect(message).toMatch(/^the config of stack broken is invalid:\n {2}- router\.hosts/);
    expect(message).toContain("Fix: pulumi config set");
    expect(message).not.toContain("hf_do_not_print");
  });
});
