// Pure spec functions (infra/specs/), no mocks.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { stackConfigKeys } from "../../../infra/config/schema.js";
import { configPath } from "../../../infra/config/problems.js";
import { ingressSpec } from "../../../infra/specs/ingress.js";
import { gpuRequest } from "../../../infra/specs/hosts.js";
import { ollamaSpecs } from "../../../infra/specs/ollama.js";
import { renderRouterConfig, routerConfigFile, sha256Hex } from "../../../infra/specs/routerConfig.js";
import { validateStackConfig } from "../../../infra/config/load.js";
import { SEED_OLLAMA_ENV } from "../seed.js";
import { readStackFile, withSecrets } from "../harness.js";

function homeConfig() {
  const r = validateStackConfig({ values: withSecrets(readStackFile("home")), secretKeys: new Set(["secrets"]) });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

/** The home stack's Traefik routes: match, priority, and whether they lead to a router. */
function traefikRules(): { match: string; priority: number; target: "router" | "open-webui" }[] {
  const routes = (ingressSpec(homeConfig())?.ingressRoute.spec as { routes: { match: string; priority: number; services: { name: string }[] }[] }).routes;
  return routes.map((r) => ({ match: r.match, priority: r.priority, target: r.services.some((s) => s.name === "open-webui") ? "open-webui" : "router" }));
}

describe("Traefik rules", () => {
  it("sends the inference paths to the router with exact matches and everything else to Open WebUI", () => {
    const rules = traefikRules();
    expect(rules).toEqual([
      {
        match:
          "Host(`llm.mywebsite.com`) && (Path(`/api/v1/chat/completions`) || Path(`/api/v1/completions`) || Path(`/api/v1/embeddings`) || Path(`/api/v1/models`) || Path(`/api/v1/messages`) || Path(`/api/v1/messages/count_tokens`) || Path(`/api/messages`) || Path(`/api/messages/count_tokens`) || Path(`/api/chat`) || Path(`/api/generate`) || Path(`/api/tags`) || Path(`/api/show`) || Path(`/api/ps`) || Path(`/api/embed`) || Path(`/api/embeddings`) || PathPrefix(`/v1/`))",
        priority: 100,
        target: "router",
      },
      { match: "Host(`llm.mywebsite.com`) && Path(`/api/version`) && !HeaderRegexp(`Cookie`, `(^|;\\s*)token=`)", priority: 90, target: "router" },
      { match: "Host(`llm.mywebsite.com`)", priority: 1, target: "open-webui" },
    ]);
  });

  it.each([
    // Open WebUI's own routes that must stay with it
    ["/api/chat/completions", false],
    ["/api/models", false],
    ["/api/config", false],
    ["/api/v1/models/list", false],
    ["/api/v1/auths/signin", false],
    ["/api/v1/chats/abc", false],
    ["/ollama/api/tags", false],
    // the clients' inference paths
    ["/api/v1/messages", true],
    ["/api/v1/chat/completions", true],
    ["/api/tags", true],
    ["/api/chat", true],
  ])("%s goes to the router: %s", (path, toRouter) => {
    const [toTheRouter] = traefikRules();
    expect(toTheRouter?.match.includes(`Path(\`${path}\`)`)).toBe(toRouter);
  });
});

describe("router config rendering", () => {
  it("maps backends to engine URLs (a vLLM cluster via its head) and Ollama concurrency to NUM_PARALLEL x MAX_LOADED_MODELS", () => {
    const cfg = homeConfig();
    const r = renderRouterConfig(cfg, "unraid");
    expect(r.backends).toEqual({
      // Each backend's declared models ride along, so the router can mark one the engine does not have.
      "dev-ollama": { contextLength: 32768, engine: "ollama", maxConcurrency: 1, models: ["Qwen3.5-27b", "qwen3-coder:30b"], url: "http://10.0.0.8:11435" },
      "spark-vllm": { engine: "vllm", models: ["MiniMax-M2.5"], url: "http://10.0.0.11:8000" },
      "unraid-ollama": { contextLength: 32768, engine: "ollama", maxConcurrency: 1, models: ["Qwen3.5-27b", "qwen3-coder:30b"], url: "http://10.0.0.10:11435" },
    });
    expect(r.apiKeys).toEqual([
      { name: "laptop", sha256: sha256Hex("sk-laptop-test-key-0000") },
      { name: "open-webui", sha256: sha256Hex("sk-owui-test-key-00000") },
    ]);
  });

  it("renders byte-identical files for identical configs and sorts keys", () => {
    const a = routerConfigFile(renderRouterConfig(homeConfig(), "dev"));
    const b = routerConfigFile(renderRouterConfig(homeConfig(), "dev"));
    expect(a).toBe(b);
    expect(Object.keys(JSON.parse(a) as object)).toEqual(["aliases", "apiKeys", "backends", "listen"]);
  });
});

describe("small pure helpers", () => {
  it.each([
    ["all", undefined, "all"],
    [["0", "1"], undefined, '"device=0,1"'],
    ["all", ["1"], '"device=1"'],
    ["none", undefined, undefined],
    ["all", "none", undefined],
  ] as const)("gpuRequest(%j, %j) = %j", (host, wanted, expected) => {
    expect(gpuRequest(host as never, wanted as never)).toBe(expected);
  });

  it("renders Ollama settings as the seed's environment", () => {
    const cfg = homeConfig();
    const b = cfg.backends["unraid-ollama"];
    if (b?.engine !== "ollama") throw new Error("no Ollama backend");
    const ollama = {
      host: "0.0.0.0:11434",
      keepAlive: "30m",
      maxLoadedModels: 1,
      contextLength: 32768,
      flashAttention: true,
      numParallel: 1,
      schedSpread: true,
    };
    expect(ollamaSpecs(cfg, "unraid-ollama", { ...b, ollama })[0]?.env).toEqual(SEED_OLLAMA_ENV);
  });

  it("quotes keys Pulumi paths would split", () => {
    expect(configPath(["backends", "qwen.local", "port"])).toBe('backends["qwen.local"].port');
    expect(configPath(["router", "aliases", "coder", "targets", 0, "backend"])).toBe("router.aliases.coder.targets[0].backend");
  });

  it("Pulumi.yaml declares every top-level key the program reads, with a type and description", () => {
    const project = parse(readFileSync(new URL("../../../Pulumi.yaml", import.meta.url), "utf8")) as {
      config: Record<string, { type?: string; description?: string }>;
    };
    for (const key of stackConfigKeys) {
      expect(project.config[key]?.type, key).toBe("object");
      expect(project.config[key]?.description, key).toBeTruthy();
    }
  });
});
