// vLLM: a single server, or a Ray cluster across hosts (head runs `vllm serve`, workers join).
// Multi-node recipe per vLLM's docs (serving/parallelism_scaling, examples/online_serving/multi-node-serving.sh):
// `ray start --head` on one node, `ray start --address=<head>:<port> --block` on the others, then
// `vllm serve ... --tensor-parallel-size <total GPUs> --distributed-executor-backend ray` on the head.
import type { StackConfig } from "../config/schema.js";
import { extraHostsFor, gpuRequest, sortedRecord, hostConfig } from "./hosts.js";
import { shellJoin } from "./shell.js";
import type { ContainerSpec, HealthCheckSpec } from "./types.js";

type VllmBackend = Extract<StackConfig["backends"][string], { engine: "vllm" }>;

const hfCache = "/root/.cache/huggingface";

function vllmServeArgs(b: VllmBackend, tensorParallel?: number): string[] {
  const s = b.vllm;
  const args = ["vllm", "serve", s.model, "--host", "0.0.0.0", "--port", String(b.port), "--served-model-name", s.servedModelName ?? s.model];
  args.push("--gpu-memory-utilization", String(s.gpuMemoryUtilization));
  if (s.maxModelLen !== undefined) args.push("--max-model-len", String(s.maxModelLen));
  if (tensorParallel !== undefined) args.push("--tensor-parallel-size", String(tensorParallel), "--distributed-executor-backend", "ray");
  return [...args, ...s.extraArgs];
}

// vLLM's GET /health answers 200 once the engine is ready (vLLM OpenAI server docs). Python is in every vLLM image.
function healthOn(port: number): HealthCheckSpec {
  return {
    tests: ["CMD", "python3", "-c", `import urllib.request; urllib.request.urlopen('http://127.0.0.1:${port}/health', timeout=5)`],
    interval: "30s",
    timeout: "10s",
    // Loading a large model across two nodes takes many minutes.
    startPeriod: "30m0s",
    retries: 5,
  };
}

export function vllmSpecs(cfg: StackConfig, name: string, b: VllmBackend): ContainerSpec[] {
  const secretEnv: Record<string, string> = cfg.secrets.hfToken ? { HF_TOKEN: cfg.secrets.hfToken } : {};
  const cluster = b.vllm.cluster;
  const hosts = b.hosts.map((h) => ({ name: h, host: hostConfig(cfg, h) }));
  const base = {
    kind: "engine" as const,
    owner: name,
    image: b.image,
    secretEnv,
    volumes: [{ volume: `${name}-hf-cache`, containerPath: hfCache }],
    binds: [],
    restart: "unless-stopped" as const,
  };
  const first = hosts[0];
  if (!first?.host) return [];

  if (!cluster) {
    return [
      {
        ...base,
        name,
        host: first.name,
        command: vllmServeArgs(b),
        env: {},
        ports: [{ internal: b.port, external: b.port }],
        // Shared memory for tensor-parallel workers; vLLM's Docker guide uses --ipc=host.
        ipcMode: "host",
        gpus: gpuRequest(first.host.gpus, b.gpus),
        extraHosts: extraHostsFor(first.host),
        healthcheck: healthOn(b.port),
      },
    ];
  }

  const nodeAddress = (i: number): string => hosts[i]?.host?.address ?? "";
  const headAddress = nodeAddress(0);
  const tp = hosts.length * cluster.gpusPerNode;
  const nodeEnv = (i: number): Record<string, string> =>
    sortedRecord({
      // NCCL and Gloo must use the fast interconnect, not the first NIC they find.
      GLOO_SOCKET_IFNAME: cluster.networkInterface,
      NCCL_SOCKET_IFNAME: cluster.networkInterface,
      VLLM_HOST_IP: nodeAddress(i),
    });
  // The head waits until every node has joined before `vllm serve` asks Ray for the GPUs.
  const waitForNodes = `until python3 -c "import ray,sys; ray.init(address='auto'); sys.exit(0 if sum(n['Alive'] for n in ray.nodes()) >= ${hosts.length} else 1)" >/dev/null 2>&1; do sleep 5; done`;
  const headScript = [
    `ray start --head --port=${cluster.rayPort} --node-ip-address=${headAddress}`,
    waitForNodes,
    `exec ${shellJoin(vllmServeArgs(b, tp))}`,
  ].join(" && ");

  return hosts.map(({ name: hostName, host }, i) => {
    const shared = {
      ...base,
      host: hostName,
      env: nodeEnv(i),
      ports: [],
      networkMode: "host" as const,
      ipcMode: "host" as const,
      gpus: host ? gpuRequest(host.gpus, b.gpus) : undefined,
      extraHosts: [],
    };
    if (i === 0) {
      return { ...shared, name: `${name}-head`, entrypoint: ["/bin/bash", "-c"], command: [headScript], healthcheck: healthOn(b.port) };
    }
    return {
      ...shared,
      name: `${name}-worker-${i}`,
      entrypoint: ["/bin/bash", "-c"],
      command: [`exec ray start --address=${headAddress}:${cluster.rayPort} --node-ip-address=${nodeAddress(i)} --block`],
      healthcheck: {
        tests: ["CMD", "ray", "status", `--address=${headAddress}:${cluster.rayPort}`],
        interval: "30s",
        timeout: "20s",
        startPeriod: "5m0s",
        retries: 5,
      },
    };
  });
}
