// Every stack file builds under mocks, and its containers land where the seed network has them.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SEED_OLLAMA_ENV } from "./seed.js";
import { byType, envOf, readStackFile, runProgram, withSecrets, type RecordedResource, type Run } from "./harness.js";

const stacks = readdirSync(new URL("../../stacks/", import.meta.url))
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined);

function containers(run: Run): Map<string, RecordedResource> {
  return new Map(byType(run, "docker:index/container:Container").map((r) => [r.name, r]));
}
function imagesByName(run: Run): Map<string, string> {
  return new Map([
    ...byType(run, "docker:index/remoteImage:RemoteImage").map((r): [string, string] => [r.name, String(r.inputs.name)]),
    ...byType(run, "docker:index/image:Image").map((r): [string, string] => [r.name, String(r.inputs.imageName)]),
  ]);
}
function imageResource(run: Run, container: string): RecordedResource | undefined {
  return run.resources.find((r) => r.name === `${container}-image` && r.type.startsWith("docker:index/"));
}
function hostOf(r: RecordedResource): string {
  return /::hosts-([^:]+)::/.exec(r.provider ?? "")?.[1] ?? "(none)";
}

describe.each(stacks)("stack %s", (stack) => {
  it("builds, with one explicit Docker provider per used host and every container on one", async () => {
    const run = await runProgram(withSecrets(readStackFile(stack)));
    const providers = byType(run, "pulumi:providers:docker");
    expect(providers.length).toBeGreaterThan(0);
    for (const c of containers(run).values()) expect(c.provider).toMatch(/pulumi:providers:docker::hosts-/);
    const images = imagesByName(run);
    // Each container runs the id of the image its own RemoteImage pulled (or Image built) on the same host.
    for (const c of containers(run).values()) {
      expect(c.inputs.image).toBe(`id-of:${images.get(`${c.name}-image`)}`);
      expect(imageResource(run, c.name)?.provider, c.name).toBe(c.provider);
    }
  });
});

describe("home stack (the seed network)", () => {
  const load = () => runProgram(withSecrets(readStackFile("home")));

  it("puts each container on the seed's host with its image, ports and GPUs", async () => {
    const run = await load();
    const c = containers(run);
    const images = imagesByName(run);
    const all = [{ driver: "nvidia", count: -1, capabilities: ["gpu"] }];
    const two = [{ driver: "nvidia", deviceIds: ["0", "1"], capabilities: ["gpu"] }];
    const table: [string, string, string, unknown[], unknown[] | undefined][] = [
      ["spark-vllm-head", "spark-1", "nvcr.io/nvidia/vllm:25.11-py3", [], all],
      ["spark-vllm-worker-1", "spark-2", "nvcr.io/nvidia/vllm:25.11-py3", [], all],
      ["unraid-ollama", "unraid", "ollama/ollama:0.12.6", [{ internal: 11434, external: 11435 }], two],
      ["dev-ollama", "dev", "ollama/ollama:0.12.6", [{ internal: 11434, external: 11435 }], all],
      ["open-webui", "unraid", "ghcr.io/open-webui/open-webui:v0.6.34", [{ internal: 8080, external: 8080 }], undefined],
      ["kokoro", "unraid", "ghcr.io/remsky/kokoro-fastapi-gpu:v0.2.4", [{ internal: 8880, external: 8880 }], two],
      ["router-unraid", "unraid", "aistack-router:local", [{ internal: 4000, external: 4000 }], undefined],
      ["router-dev", "dev", "aistack-router:local", [{ internal: 4000, external: 4000 }], undefined],
    ];
    expect([...c.keys()].sort()).toEqual(table.map((t) => t[0]).sort());
    for (const [name, host, image, ports, gpus] of table) {
      const r = c.get(name);
      expect(r, name).toBeDefined();
      if (!r) continue;
      expect(hostOf(r), name).toBe(host);
      expect(images.get(`${name}-image`), name).toBe(image);
      expect(r.inputs.ports ?? [], name).toEqual(ports);
      // Structured device requests, never the provider's `gpus` string (test/infra/specs/gpus.test.ts).
      expect(r.inputs.gpus, name).toBeUndefined();
      expect(r.inputs.deviceRequests, name).toEqual(gpus);
    }
    const providers = byType(run, "pulumi:providers:docker")
      .map((p) => p.inputs.host)
      .sort();
    expect(providers).toEqual(["ssh://nvidia@10.0.0.11:22", "ssh://nvidia@10.0.0.12:22", "ssh://root@10.0.0.10:22", "ssh://root@10.0.0.8:22"]);
  });

  it("runs Ollama with the seed's settings on both Ollama hosts", async () => {
    const c = containers(await load());
    for (const name of ["unraid-ollama", "dev-ollama"]) {
      const r = c.get(name);
      if (!r) throw new Error(name);
      expect(envOf(r)).toEqual(SEED_OLLAMA_ENV);
    }
  });

  it("runs vLLM as a two-node Ray cluster with host networking, IPC and the ConnectX interface", async () => {
    const c = containers(await load());
    const head = c.get("spark-vllm-head");
    const worker = c.get("spark-vllm-worker-1");
    if (!head || !worker) throw new Error("missing vLLM containers");
    for (const r of [head, worker]) {
      expect(r.inputs.networkMode).toBe("host");
      expect(r.inputs.ipcMode).toBe("host");
      expect(envOf(r)).toMatchObject({ NCCL_SOCKET_IFNAME: "enp1s0f0np0", GLOO_SOCKET_IFNAME: "enp1s0f0np0", HF_TOKEN: "hf_test_token_0000000000" });
    }
    const script = (head.inputs.command as string[])[0] ?? "";
    expect(script).toContain("ray start --head --port=6379 --node-ip-address=10.0.0.11");
    expect(script).toContain("vllm serve MiniMaxAI/MiniMax-M2.5 --host 0.0.0.0 --port 8000 --served-model-name MiniMax-M2.5");
    expect(script).toContain("--tensor-parallel-size 2 --distributed-executor-backend ray");
    expect((worker.inputs.command as string[])[0]).toBe("exec ray start --address=10.0.0.11:6379 --node-ip-address=10.0.0.12 --block");
  });

  it("points Open WebUI at the router, the Ollama backends and Kokoro", async () => {
    const owui = containers(await load()).get("open-webui");
    if (!owui) throw new Error("open-webui");
    expect(envOf(owui)).toMatchObject({
      ENABLE_API_KEYS: "True",
      ENABLE_SIGNUP: "False",
      ENABLE_CUSTOM_MODEL_FALLBACK: "True",
      WEBUI_URL: "https://llm.mywebsite.com",
      OPENAI_API_BASE_URLS: "http://10.0.0.10:4000/v1",
      OPENAI_API_KEYS: "sk-owui-test-key-00000",
      OLLAMA_BASE_URLS: "http://10.0.0.10:11435;http://10.0.0.8:11435",
      AUDIO_TTS_ENGINE: "openai",
      AUDIO_TTS_OPENAI_API_BASE_URL: "http://10.0.0.10:8880/v1",
    });
  });

  it("mounts the router config directory read-only and delivers the file over SSH with secret output", async () => {
    const run = await load();
    const router = containers(run).get("router-unraid");
    expect(router?.inputs.volumes).toEqual([{ hostPath: "/opt/aistack/router", containerPath: "/etc/aistack", readOnly: true }]);
    expect(router?.inputs.command).toEqual(["--config", "/etc/aistack/router.json"]);
    const deliveries = byType(run, "command:remote:Command").filter((d) => d.name.startsWith("router-"));
    expect(deliveries.map((d) => d.name).sort()).toEqual(["router-dev-config", "router-unraid-config"]);
    const unraid = deliveries.find((d) => d.name === "router-unraid-config");
    expect(unraid?.inputs.connection).toMatchObject({ host: "10.0.0.10", port: 22, user: "root" });
    const file = JSON.parse(String(unraid?.inputs.stdin)) as {
      aliases: Record<string, { targets: { backend: string; model: string }[] }>;
      apiKeys: { sha256: string }[];
    };
    expect(file.aliases.coder?.targets[0]).toEqual({ backend: "spark-vllm", model: "MiniMax-M2.5" });
    expect(JSON.stringify(file)).not.toContain("sk-laptop-test-key");
    expect(file.apiKeys.every((k) => /^[0-9a-f]{64}$/.test(k.sha256))).toBe(true);
  });

  it("routes the domain through Traefik: inference paths to the balanced routers, the rest to Open WebUI", async () => {
    const run = await load();
    const services = byType(run, "kubernetes:core/v1:Service").map((s) => s.inputs.spec);
    expect(services).toContainEqual({ type: "ExternalName", externalName: "10.0.0.10", ports: [{ name: "http", port: 8080, targetPort: 8080 }] });
    expect(services).toContainEqual({ type: "ExternalName", externalName: "10.0.0.8", ports: [{ name: "http", port: 4000, targetPort: 4000 }] });
    const balancer = byType(run, "kubernetes:traefik.io/v1alpha1:TraefikService")[0];
    expect(balancer?.inputs.spec).toEqual({
      weighted: {
        services: ["router-unraid", "router-dev"].map((name) => ({
          kind: "Service",
          name,
          namespace: "aistack",
          port: 4000,
          weight: 1,
        })),
      },
    });
    const middleware = byType(run, "kubernetes:traefik.io/v1alpha1:Middleware")[0];
    expect(middleware?.inputs.metadata).toEqual({ name: "router-retry", namespace: "aistack" });
    expect(middleware?.inputs.spec).toEqual({ retry: { attempts: 4, initialInterval: "100ms" } });
    const route = byType(run, "kubernetes:traefik.io/v1alpha1:IngressRoute")[0];
    const spec = route?.inputs.spec as {
      entryPoints: string[];
      tls: unknown;
      routes: { match: string; priority: number; middlewares?: { name: string }[]; services: { kind: string; name: string }[] }[];
    };
    expect(spec.entryPoints).toEqual(["websecure"]);
    expect(spec.tls).toEqual({ certResolver: "letsencrypt" });
    expect(spec.routes.map((r) => [r.priority, r.services.map((s) => `${s.kind}/${s.name}`), r.middlewares?.map((m) => m.name)])).toEqual([
      [100, ["TraefikService/router"], ["router-retry"]],
      [90, ["TraefikService/router"], ["router-retry"]],
      [1, ["Service/open-webui"], undefined],
    ]);
    expect(spec.routes[2]?.match).toBe("Host(`llm.mywebsite.com`)");
  });
});

describe("local stack", () => {
  it("runs CPU-only Ollama, Open WebUI, Kokoro CPU and the router on the local Docker socket, without Kubernetes", async () => {
    const run = await runProgram(withSecrets(readStackFile("local")));
    const c = containers(run);
    expect([...c.keys()].sort()).toEqual(["kokoro", "local-ollama", "open-webui", "router-local"]);
    for (const r of c.values()) {
      expect(r.inputs.gpus).toBeUndefined();
      expect(r.inputs.deviceRequests).toBeUndefined();
      expect(r.inputs.hosts).toEqual([{ host: "host.docker.internal", ip: "host-gateway" }]);
    }
    expect(byType(run, "pulumi:providers:docker").map((p) => p.inputs.host)).toEqual(["unix:///var/run/docker.sock"]);
    expect(run.resources.filter((r) => r.type.startsWith("kubernetes:"))).toEqual([]);
    const delivery = byType(run, "command:local:Command")[0];
    expect(delivery?.inputs.create).toContain("/home/tester/.aistack/router/router.json");
    const file = JSON.parse(String(delivery?.inputs.stdin)) as { backends: Record<string, { url: string }> };
    expect(file.backends["local-ollama"]?.url).toBe("http://host.docker.internal:11434");
    expect(envOf(c.get("open-webui") as RecordedResource).OPENAI_API_BASE_URLS).toBe("http://host.docker.internal:4000/v1");
    expect(run.outputs.routerUrls).toEqual(["http://localhost:4000"]);
  });
});
