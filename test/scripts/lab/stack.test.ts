// The lab's stack is generated from the home stack: these hold that it changes only what must differ on
// one machine, that the program accepts it, and that the lab's host plan stays on its own subnet.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateStackConfig } from "../../../infra/config/load.js";
import { BRIDGE_ADDRESS, HOME_STACK_FILE, homeHosts, LAB_NET, planHosts } from "../../../scripts/lab/layout.js";
import { LAB_KUBE_CONTEXT, labSecrets, labStackConfig, labStackFile, ollamaModels, pinnedImages } from "../../../scripts/lab/stack.js";

const homeYaml = readFileSync(HOME_STACK_FILE, "utf8");
const home = (parse(homeYaml) as { config: Record<string, unknown> }).config;
const hosts = planHosts(homeHosts(homeYaml), "/lab");

/** Every leaf path where two JSON values differ. */
function differences(a: unknown, b: unknown, path = ""): string[] {
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return a === b ? [] : [path];
}

describe("the lab stack config", () => {
  const lab = labStackConfig(homeYaml, hosts);

  it("differs from the home stack only in host addresses, SSH ports and the kube context", () => {
    const expected = [
      ...Object.keys(home["aistack:hosts"] as object).flatMap((h) => [`aistack:hosts.${h}.address`, `aistack:hosts.${h}.sshPort`]),
      "aistack:ingress.context",
    ];
    expect(differences(home, lab).sort()).toEqual(expected.sort());
    expect((lab["aistack:ingress"] as { context: string }).context).toBe(LAB_KUBE_CONTEXT);
  });

  it("points every host at its lab address", () => {
    for (const h of hosts) expect((lab["aistack:hosts"] as Record<string, { address: string }>)[h.name]?.address).toBe(h.address);
  });

  it("is accepted by the program with the secrets the lab sets", () => {
    const secrets: Record<string, unknown> = { apiKeys: {} };
    for (const [path, value] of Object.entries(labSecrets(lab, "apiVersion: v1\n"))) {
      const [head, tail] = path.split(".");
      if (tail) (secrets[head as string] as Record<string, string>)[tail] = value;
      else secrets[path] = value;
    }
    const values = Object.fromEntries(
      Object.entries(lab)
        .filter(([k]) => k.startsWith("aistack:"))
        .map(([k, v]) => [k.slice("aistack:".length), v]),
    );
    const r = validateStackConfig({ values: { ...values, secrets }, secretKeys: new Set(["secrets"]) });
    expect(r.ok ? [] : r.problems).toEqual([]);
  });

  it("asks for each router key, the Open WebUI secret, an HF token and the kubeconfig", () => {
    expect(Object.keys(labSecrets(lab, "kubeconfig text")).sort()).toEqual(["apiKeys.laptop", "apiKeys.open-webui", "hfToken", "kubeconfig", "webuiSecretKey"]);
  });

  it("round-trips through the stack file it writes", () => {
    expect((parse(labStackFile(lab)) as { config: unknown }).config).toEqual(lab);
  });

  it("lists the pinned images each host must hold, the router hosts' Node base included", () => {
    const pinned = pinnedImages(lab, "node:22-slim");
    const on = (host: string): string[] =>
      pinned
        .filter((p) => p.host === host)
        .map((p) => `${p.role} ${p.image}`)
        .sort();
    expect(on("spark-1")).toEqual(["vllm nvcr.io/nvidia/vllm:25.11-py3"]);
    expect(on("spark-2")).toEqual(["vllm nvcr.io/nvidia/vllm:25.11-py3"]);
    expect(on("unraid")).toEqual([
      "kokoro ghcr.io/remsky/kokoro-fastapi-gpu:v0.2.4",
      "node-base node:22-slim",
      "ollama ollama/ollama:0.12.6",
      "open-webui ghcr.io/open-webui/open-webui:v0.6.34",
    ]);
    expect(on("dev")).toEqual(["node-base node:22-slim", "ollama ollama/ollama:0.12.6"]);
    expect(ollamaModels(lab)).toEqual([
      { backend: "unraid-ollama", host: "unraid", models: ["Qwen3.5-27b", "qwen3-coder:30b"] },
      { backend: "dev-ollama", host: "dev", models: ["Qwen3.5-27b", "qwen3-coder:30b"] },
    ]);
  });
});

describe("the lab's host plan", () => {
  it("keeps each home address's last octet on the lab subnet, never the bridge's", () => {
    expect(hosts.map((h) => `${h.name} ${h.address}`)).toEqual(["spark-1 10.77.0.11", "spark-2 10.77.0.12", "unraid 10.77.0.10", "dev 10.77.0.8"]);
  });

  it("gives clashing or non-IPv4 addresses free octets, and names fit Linux's 15-character links", () => {
    const plan = planHosts(
      [
        { name: "a", address: "10.0.0.1", user: "root" },
        { name: "b", address: "192.168.1.7", user: "root" },
        { name: "c", address: "10.9.9.7", user: "root" },
        { name: "d", address: "nas.local", user: "root" },
      ],
      "/lab",
    );
    const addresses = plan.map((h) => h.address);
    expect(new Set(addresses).size).toBe(4);
    expect(addresses).not.toContain(BRIDGE_ADDRESS);
    for (const a of addresses) expect(a.startsWith(`${LAB_NET}.`)).toBe(true);
    for (const h of plan) expect(h.veth.length).toBeLessThanOrEqual(15);
  });
});
