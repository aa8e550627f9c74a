/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any -- fixtures are free-form YAML data edited per case */
// One case per validation rule: the message names the path, what is wrong, and the fixing command.
import { describe, expect, it } from "vitest";
import { validateStackConfig } from "../../../infra/config/load.js";
import { readStackFile, runProgram, withSecrets } from "../harness.js";

type Config = Record<string, any>;

function home(): Config {
  return structuredClone(withSecrets(readStackFile("home")));
}

function problemsOf(cfg: Config, secretKeys: string[] = ["secrets"]): string[] {
  const r = validateStackConfig({ values: cfg, secretKeys: new Set(secretKeys) });
  return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}. Fix: ${p.fix}`);
}

const cases: [string, (c: Config) => void, string][] = [
  [
    "unknown key (strict objects)",
    (c) => (c.hosts.dev.adress = "x"),
    `hosts.dev.adress: unknown key "adress". Fix: pulumi config rm --path 'hosts.dev.adress'`,
  ],
  [
    "missing required field",
    (c) => delete c.hosts.dev.address,
    `hosts.dev.address: is required (string). Fix: pulumi config set --path 'hosts.dev.address' '<address>'`,
  ],
  [
    "bad enum value",
    (c) => (c.backends["dev-ollama"].engine = "tgi"),
    `backends.dev-ollama.engine: Invalid discriminator value. Expected 'ollama' | 'vllm' | 'llamacpp'. Fix: pulumi config set --path 'backends.dev-ollama.engine' '<engine>'`,
  ],
  [
    "floating image tag",
    (c) => (c.openWebUI.image = "ghcr.io/open-webui/open-webui:latest"),
    `openWebUI.image: must not use the floating :latest tag. Fix: pulumi config set --path 'openWebUI.image' '<image>'`,
  ],
  [
    "target names an unknown backend",
    (c) => (c.router.aliases.coder.targets[1].backend = "nope"),
    `router.aliases.coder.targets[1].backend: unknown backend "nope"; known: spark-vllm, unraid-ollama, dev-ollama. Fix: pulumi config set --path 'router.aliases.coder.targets[1].backend' spark-vllm`,
  ],
  [
    "target model the backend does not serve",
    (c) => (c.router.aliases.micro.targets[0].model = "llama3"),
    `router.aliases.micro.targets[0].model: backend "unraid-ollama" does not serve "llama3"; it serves Qwen3.5-27b, qwen3-coder:30b. Fix: pulumi config set --path 'router.aliases.micro.targets[0].model' Qwen3.5-27b`,
  ],
  [
    "GPU engine on a host without GPUs",
    (c) => (c.hosts["spark-2"].gpus = "none"),
    `backends.spark-vllm.hosts[1]: vllm needs a GPU but host "spark-2" declares gpus: none. Fix: pulumi config set --path 'backends.spark-vllm.hosts[1]' '<a GPU host>'`,
  ],
  [
    "GPU device the host lacks",
    (c) => (c.backends["unraid-ollama"].gpus = ["0", "2"]),
    `backends.unraid-ollama.gpus[1]: host "unraid" has no GPU "2"; it offers 0, 1. Fix: pulumi config set --path 'backends.unraid-ollama.gpus[1]' 0`,
  ],
  [
    "Kokoro GPU image on a CPU host",
    (c) => (c.hosts.unraid.gpus = "none"),
    `kokoro.gpu: the GPU image needs a GPU but host "unraid" declares gpus: none. Fix: pulumi config set --path 'kokoro.gpu' false`,
  ],
  [
    "Open WebUI on an unknown host",
    (c) => (c.openWebUI.host = "nas"),
    `openWebUI.host: unknown host "nas"; known: spark-1, spark-2, unraid, dev. Fix: pulumi config set --path 'openWebUI.host' spark-1`,
  ],
  [
    "two containers on one host port",
    (c) => (c.kokoro.port = 8080),
    `kokoro.port: port 8080 on host "unraid" is already bound by Open WebUI. Fix: pulumi config set --path 'kokoro.port' 8081`,
  ],
  [
    "referenced host does not exist",
    (c) => (c.router.hosts = ["unraid", "nas"]),
    `router.hosts[1]: unknown host "nas"; known: spark-1, spark-2, unraid, dev. Fix: pulumi config set --path 'router.hosts[1]' spark-1`,
  ],
  [
    "cluster mode with one host",
    (c) => (c.backends["spark-vllm"].hosts = ["spark-1"]),
    `backends.spark-vllm.hosts: cluster mode needs at least 2 hosts, got 1. Fix: pulumi config set --path 'backends.spark-vllm.hosts' '["<head>","<worker>"]'`,
  ],
  [
    "single-host engine on two hosts",
    (c) => (c.backends["dev-ollama"].hosts = ["dev", "unraid"]),
    `backends.dev-ollama.hosts: a ollama backend runs on exactly one host (only vLLM cluster mode spans several), got 2. Fix: pulumi config set --path 'backends.dev-ollama.hosts' '["dev"]'`,
  ],
  [
    "API key without its secret",
    (c) => delete c.secrets.apiKeys.laptop,
    `secrets.apiKeys.laptop: API key "laptop" has no secret value. Fix: pulumi config set --secret --path 'secrets.apiKeys.laptop' '<key>'`,
  ],
  [
    "key scope names an unknown alias",
    (c) => (c.router.apiKeys[0].aliases = ["coder", "writer"]),
    `router.apiKeys[0].aliases[1]: unknown alias "writer"; known: coder, agent, micro. Fix: pulumi config set --path 'router.apiKeys[0].aliases[1]' coder`,
  ],
  [
    "Open WebUI without a router key",
    (c) => {
      c.router.apiKeys = [{ name: "laptop" }];
      delete c.secrets.apiKeys["open-webui"];
    },
    `router.apiKeys[1].name: the router requires API keys, so Open WebUI needs one named "open-webui" (and its secret under secrets.apiKeys.open-webui). Fix: pulumi config set --path 'router.apiKeys[1].name' open-webui`,
  ],
  [
    "ingress without a domain",
    (c) => delete c.ingress.domain,
    `ingress.domain: ingress is enabled but has no domain. Fix: pulumi config set --path 'ingress.domain' llm.example.com`,
  ],
  [
    "two containers with one name on a host",
    (c) => {
      c.hosts.box = { address: "10.0.0.30", gpus: "all" };
      c.router.hosts = ["unraid", "dev", "box"];
      c.backends["router-box"] = { engine: "ollama", hosts: ["box"], port: 11500, image: "ollama/ollama:0.12.6" };
    },
    `backends.router-box.hosts[0]: container name "router-box" on host "box" is already the router's; rename backend router-box or move it to another host. Fix: pulumi config set --path 'backends.router-box.hosts[0]' spark-1`,
  ],
  [
    "two volumes with one name on a host",
    (c) => {
      c.backends["dev-vllm"] = { engine: "vllm", hosts: ["dev"], port: 8001, image: "vllm/vllm-openai:v0.11.0", vllm: { model: "org/m" } };
      c.backends["dev-vllm-hf"] = {
        engine: "llamacpp",
        hosts: ["dev"],
        port: 8002,
        image: "ghcr.io/ggml-org/llama.cpp:server-b6000",
        llamacpp: { hfRepo: "org/m-gguf", alias: "m" },
      };
    },
    `backends.dev-vllm-hf.hosts[0]: volume name "dev-vllm-hf-cache" on host "dev" is already backend dev-vllm's; rename backend dev-vllm-hf or move it to another host. Fix: pulumi config set --path 'backends.dev-vllm-hf.hosts[0]' spark-1`,
  ],
  [
    "a host named like an Object member is still unknown",
    (c) => (c.router.hosts = ["unraid", "constructor"]),
    `router.hosts[1]: unknown host "constructor"; known: spark-1, spark-2, unraid, dev. Fix: pulumi config set --path 'router.hosts[1]' spark-1`,
  ],
  [
    "a backend named like an Object member is still unknown",
    (c) => (c.router.aliases.coder.targets[1].backend = "toString"),
    `router.aliases.coder.targets[1].backend: unknown backend "toString"; known: spark-vllm, unraid-ollama, dev-ollama. Fix: pulumi config set --path 'router.aliases.coder.targets[1].backend' spark-vllm`,
  ],
  [
    "unknown alias for a Claude family",
    (c) => (c.router.claudeModels = { haiku: "tiny" }),
    `router.claudeModels.haiku: unknown alias "tiny"; known: coder, agent, micro. Fix: pulumi config set --path 'router.claudeModels.haiku' coder`,
  ],
];

describe("stack config validation", () => {
  it("accepts the home stack as is", () => {
    expect(problemsOf(home())).toEqual([]);
  });

  it.each(cases)("%s", (_rule, edit, message) => {
    const cfg = home();
    edit(cfg);
    expect(problemsOf(cfg)).toContain(message);
  });

  it("takes the {} defaults Pulumi.yaml declares as unset sections, and an empty secrets object as no secret", () => {
    const local = readStackFile("local");
    const r = validateStackConfig({
      values: { ...local, openWebUI: {}, kokoro: {}, secrets: {}, backends: local.backends, ingress: {} },
      secretKeys: new Set(),
    });
    expect(r.ok ? [] : r.problems).toEqual([]);
    if (r.ok) {
      expect(r.config.openWebUI).toBeUndefined();
      expect(r.config.kokoro).toBeUndefined();
    }
  });

  it("rejects secrets set in plain text", () => {
    expect(problemsOf(home(), [])).toContain(
      "secrets: holds secrets in plain text; set each value with --secret. Fix: pulumi config rm secrets && pulumi config set --secret --path 'secrets.<name>' <value>",
    );
  });

  it("reports every problem at once as one RunError before any resource exists", async () => {
    const cfg = home();
    cfg.kokoro.port = 8080;
    cfg.router.aliases.coder.targets[1].backend = "nope";
    cfg.hosts.dev.adress = "x";
    const err = await runProgram(cfg).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).constructor.name).toBe("RunError");
    // Every problem in one pass: the shape problem and the cross-check findings together.
    const lines = (err as Error).message.split("\n");
    expect(lines[0]).toBe("The stack config has 3 problems:");
    expect(lines[1]).toMatch(/^ {2}- hosts\.dev\.adress: unknown key "adress"/);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}- kokoro\.port: port 8080/),
        expect.stringMatching(/^ {2}- router\.aliases\.coder\.targets\[1\]\.backend: unknown backend "nope"/),
      ]),
    );
    delete cfg.hosts.dev.adress;
    const err2 = (await runProgram(cfg).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(err2.message.split("\n")).toEqual([
      "The stack config has 2 problems:",
      "  - kokoro.port: port 8080 on host \"unraid\" is already bound by Open WebUI. Fix: pulumi config set --path 'kokoro.port' 8081",
      "  - router.aliases.coder.targets[1].backend: unknown backend \"nope\"; known: spark-vllm, unraid-ollama, dev-ollama. Fix: pulumi config set --path 'router.aliases.coder.targets[1].backend' spark-vllm",
    ]);
  });
});
