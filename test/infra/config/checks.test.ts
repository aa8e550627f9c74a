/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-explicit-any -- fixtures are free-form YAML data edited per case */
// The cross-checks, one table per check: an edit of the local stack (one machine) that concerns that
// check and every problem the cross-checks then report, in order. The local stack passes them all.
import { describe, expect, it } from "vitest";
import { crossCheck } from "../../../infra/config/checks.js";
import { parseByPart } from "../../../infra/config/partial.js";
import { readStackFile, withSecrets } from "../harness.js";

type Config = Record<string, any>;
type Row = [string, (c: Config) => void, string[]];

const sshBox = { address: "10.0.0.30", gpus: ["0", "1"] };
const vllm = (hosts: string[], extra: Config = {}) => ({
  engine: "vllm",
  hosts,
  port: 8000,
  image: "vllm/vllm-openai:v0.11.0",
  vllm: { model: "org/m", ...extra },
});
const key = "sk-test-key-000000000000";

function run(edit: (c: Config) => void): string[] {
  const values: Config = structuredClone(withSecrets(readStackFile("local")));
  edit(values);
  const parts = parseByPart(values);
  return crossCheck(parts.config, parts.unparsed).map((p) => `${p.path}: ${p.message}. Fix: ${p.fix}`);
}

const tables: [string, Row[]][] = [
  [
    "backendHosts",
    [
      [
        "an unknown host",
        (c) => (c.backends["local-ollama"].hosts = ["nas"]),
        [`backends.local-ollama.hosts[0]: unknown host "nas"; known: local. Fix: pulumi config set --path 'backends.local-ollama.hosts[0]' local`],
      ],
      ["a host that is present but invalid is not unknown", (c) => (c.hosts.local.gpus = "some"), []],
      [
        "a single-host engine on two hosts",
        (c) => {
          c.hosts.box = sshBox;
          c.backends["local-ollama"].hosts = ["local", "box"];
        },
        [
          `backends.local-ollama.hosts: a ollama backend runs on exactly one host (only vLLM cluster mode spans several), got 2. Fix: pulumi config set --path 'backends.local-ollama.hosts' '["local"]'`,
        ],
      ],
      [
        "a host listed twice",
        (c) => (c.backends["local-ollama"].hosts = ["local", "local"]),
        [
          `backends.local-ollama.hosts: a ollama backend runs on exactly one host (only vLLM cluster mode spans several), got 2. Fix: pulumi config set --path 'backends.local-ollama.hosts' '["local"]'`,
          `backends.local-ollama.hosts: lists a host twice. Fix: pulumi config set --path 'backends.local-ollama.hosts' '["local"]'`,
        ],
      ],
      [
        "a vLLM cluster on one host",
        (c) => {
          c.hosts.box = sshBox;
          c.backends.v = vllm(["box"], { cluster: { networkInterface: "eth0" } });
        },
        [`backends.v.hosts: cluster mode needs at least 2 hosts, got 1. Fix: pulumi config set --path 'backends.v.hosts' '["<head>","<worker>"]'`],
      ],
    ],
  ],
  [
    "backendGpus",
    [
      [
        "vLLM on a host without GPUs",
        (c) => (c.backends.v = vllm(["local"])),
        [`backends.v.hosts[0]: vllm needs a GPU but host "local" declares gpus: none. Fix: pulumi config set --path 'backends.v.hosts[0]' '<a GPU host>'`],
      ],
      [
        "vLLM told to use no GPU",
        (c) => {
          c.hosts.box = sshBox;
          c.backends.v = { ...vllm(["box"]), gpus: "none" };
        },
        [`backends.v.gpus: vLLM needs a GPU; it cannot run with gpus: none. Fix: pulumi config set --path 'backends.v.gpus' all`],
      ],
      [
        "a GPU id the host lacks",
        (c) => {
          c.hosts.box = sshBox;
          c.backends.v = { ...vllm(["box"]), gpus: ["1", "2"] };
        },
        [`backends.v.gpus[1]: host "box" has no GPU "2"; it offers 0, 1. Fix: pulumi config set --path 'backends.v.gpus[1]' 0`],
      ],
      [
        "an unknown host is not checked for GPUs",
        (c) => (c.backends.v = vllm(["nas"])),
        [`backends.v.hosts[0]: unknown host "nas"; known: local. Fix: pulumi config set --path 'backends.v.hosts[0]' local`],
      ],
    ],
  ],
  [
    "serviceHosts",
    [
      [
        "Open WebUI on an unknown host",
        (c) => (c.openWebUI.host = "nas"),
        [`openWebUI.host: unknown host "nas"; known: local. Fix: pulumi config set --path 'openWebUI.host' local`],
      ],
      [
        "Kokoro's GPU image on a CPU host",
        (c) => (c.kokoro.gpu = true),
        [`kokoro.gpu: the GPU image needs a GPU but host "local" declares gpus: none. Fix: pulumi config set --path 'kokoro.gpu' false`],
      ],
      [
        "the router on an unknown host and twice on one",
        (c) => (c.router.hosts = ["local", "constructor", "local"]),
        [
          `router.hosts[1]: unknown host "constructor"; known: local. Fix: pulumi config set --path 'router.hosts[1]' local`,
          `router.hosts: lists a host twice. Fix: pulumi config set --path 'router.hosts' '["local","constructor"]'`,
        ],
      ],
    ],
  ],
  [
    "hostPorts",
    [
      [
        "two services on one port",
        (c) => (c.kokoro.port = 3000),
        [`kokoro.port: port 3000 on host "local" is already bound by Open WebUI. Fix: pulumi config set --path 'kokoro.port' 3001`],
      ],
      [
        "the next free port skips taken ones",
        (c) => {
          c.kokoro.port = 3000;
          c.router.port = 3001;
        },
        [`kokoro.port: port 3000 on host "local" is already bound by Open WebUI. Fix: pulumi config set --path 'kokoro.port' 3002`],
      ],
      [
        "a Ray head port taken by the router",
        (c) => {
          c.hosts.box = sshBox;
          c.hosts.box2 = { ...sshBox, address: "10.0.0.31" };
          c.router.hosts = ["box"];
          c.backends.v = vllm(["box", "box2"], { cluster: { networkInterface: "eth0", rayPort: 4000 } });
        },
        [`router.port: port 4000 on host "box" is already bound by backend v (Ray head). Fix: pulumi config set --path 'router.port' 4001`],
      ],
      [
        "a router port that did not parse claims nothing",
        (c) => {
          c.kokoro.port = 4001;
          c.router.port = "4001";
        },
        [],
      ],
    ],
  ],
  [
    "dockerNames",
    [
      [
        "a backend named like the router's container",
        (c) => (c.backends["router-local"] = { ...c.backends["local-ollama"], port: 11500 }),
        [
          `backends.router-local.hosts[0]: container name "router-local" on host "local" is already the router's; rename backend router-local or move it to another host. Fix: pulumi config set --path 'backends.router-local.hosts[0]' '<another host>'`,
        ],
      ],
    ],
  ],
  [
    "references",
    [
      [
        "a target naming an unknown backend",
        (c) => (c.router.aliases.micro.targets[0].backend = "toString"),
        [
          `router.aliases.micro.targets[0].backend: unknown backend "toString"; known: local-ollama. Fix: pulumi config set --path 'router.aliases.micro.targets[0].backend' local-ollama`,
        ],
      ],
      [
        "a target naming a backend that did not parse",
        (c) => {
          c.backends.broken = { engine: "tgi" };
          c.router.aliases.micro.targets[0].backend = "broken";
        },
        [],
      ],
      [
        "a key name twice, a scope and a Claude family naming unknown aliases",
        (c) => {
          c.router.apiKeys = [{ name: "k", aliases: ["coder"] }, { name: "k" }, { name: "open-webui" }];
          c.secrets.apiKeys = { k: key, "open-webui": key };
          c.router.claudeModels = { haiku: "tiny" };
        },
        [
          `router.apiKeys[0].aliases[0]: unknown alias "coder"; known: micro. Fix: pulumi config set --path 'router.apiKeys[0].aliases[0]' micro`,
          `router.apiKeys[1].name: duplicate key name "k". Fix: pulumi config set --path 'router.apiKeys[1].name' k-2`,
          `router.claudeModels.haiku: unknown alias "tiny"; known: micro. Fix: pulumi config set --path 'router.claudeModels.haiku' micro`,
        ],
      ],
      [
        "an alias that did not parse is not unknown",
        (c) => {
          c.router.aliases.broken = { targets: [] };
          c.router.claudeModels = { haiku: "broken" };
        },
        [],
      ],
    ],
  ],
  [
    "targetModels",
    [
      [
        "a model the backend does not serve",
        (c) => (c.router.aliases.micro.targets[0].model = "llama3"),
        [
          `router.aliases.micro.targets[0].model: backend "local-ollama" does not serve "llama3"; it serves qwen3:0.6b. Fix: pulumi config set --path 'router.aliases.micro.targets[0].model' qwen3:0.6b`,
        ],
      ],
      [
        "any model of an Ollama backend that lists none",
        (c) => {
          c.backends["local-ollama"].models = [];
          c.router.aliases.micro.targets[0].model = "llama3";
        },
        [],
      ],
      [
        "a vLLM backend serves its served name",
        (c) => {
          c.hosts.local.gpus = "all";
          c.backends.v = vllm(["local"], { servedModelName: "m" });
          c.router.aliases.micro.targets.push({ backend: "v", model: "org/m" });
        },
        [
          `router.aliases.micro.targets[1].model: backend "v" does not serve "org/m"; it serves m. Fix: pulumi config set --path 'router.aliases.micro.targets[1].model' m`,
        ],
      ],
    ],
  ],
  [
    "apiKeySecrets",
    [
      [
        "a key without its secret",
        (c) => {
          c.router.apiKeys = [{ name: "laptop" }];
          delete c.openWebUI;
        },
        [`secrets.apiKeys.laptop: API key "laptop" has no secret value. Fix: pulumi config set --secret --path 'secrets.apiKeys.laptop' '<key>'`],
      ],
      [
        "a secret without its key",
        (c) => (c.secrets.apiKeys = { old: key }),
        [`secrets.apiKeys.old: no router.apiKeys entry is named "old". Fix: pulumi config rm --path 'secrets.apiKeys.old'`],
      ],
      [
        "a secret of a key list that did not parse",
        (c) => {
          c.router.apiKeys = "laptop";
          c.secrets.apiKeys = { laptop: key };
        },
        [],
      ],
    ],
  ],
  [
    "openWebUIKey",
    [
      [
        "keys but none for Open WebUI",
        (c) => {
          c.router.apiKeys = [{ name: "laptop" }];
          c.secrets.apiKeys = { laptop: key };
        },
        [
          `router.apiKeys[1].name: the router requires API keys, so Open WebUI needs one named "open-webui" (and its secret under secrets.apiKeys.open-webui). Fix: pulumi config set --path 'router.apiKeys[1].name' open-webui`,
        ],
      ],
      [
        "keys including Open WebUI's",
        (c) => {
          c.router.apiKeys = [{ name: "laptop" }, { name: "open-webui" }];
          c.secrets.apiKeys = { laptop: key, "open-webui": key };
        },
        [],
      ],
      [
        "keys and no Open WebUI",
        (c) => {
          c.router.apiKeys = [{ name: "laptop" }];
          c.secrets.apiKeys = { laptop: key };
          delete c.openWebUI;
        },
        [],
      ],
    ],
  ],
  [
    "ingress",
    [
      [
        "enabled with no domain, no Open WebUI, a local router",
        (c) => {
          c.ingress = { enabled: true };
          delete c.openWebUI;
        },
        [
          `ingress.domain: ingress is enabled but has no domain. Fix: pulumi config set --path 'ingress.domain' llm.example.com`,
          `ingress.enabled: ingress routes to Open WebUI, but no openWebUI is configured. Fix: pulumi config set --path 'ingress.enabled' false`,
          `ingress.enabled: a cluster cannot reach a router on the local host ("local"). Fix: pulumi config set --path 'ingress.enabled' false`,
        ],
      ],
      ["disabled", (c) => (c.ingress = { enabled: false }), []],
    ],
  ],
];

describe.each(tables)("the %s check", (_name, rows) => {
  it("passes the local stack", () => {
    expect(run(() => {})).toEqual([]);
  });

  it.each(rows)("%s", (_case, edit, expected) => {
    expect(run(edit)).toEqual(expected);
  });
});
