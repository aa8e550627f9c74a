// What the soak runs: which fakes (which of them flap) and the router config, in valid variants to
// rewrite while it runs and invalid ones the router must reject while it keeps serving.
import type { RouterConfigInput } from "../../router/config/schema.js";
import type { FakeSpec } from "./children.js";

/** Every alias has at least one target on a backend that never flaps: its healthy alternative. */
export const FAKES: readonly FakeSpec[] = [
  { name: "vllm-flaky", engine: "vllm", flaps: true, args: ["--models", "m", "--anthropic", "--chunk-delay-ms", "4"] },
  { name: "vllm-steady", engine: "vllm", flaps: false, args: ["--models", "m", "--anthropic", "--chunk-delay-ms", "4"] },
  // Restarted Ollama comes back cold: the next request waits for a (short) model load.
  {
    name: "ollama-flaky",
    engine: "ollama",
    flaps: true,
    args: ["--models", "m", "--load-delay-ms", "400", "--num-parallel", "16", "--chunk-delay-ms", "4", "--anthropic"],
  },
  {
    name: "ollama-steady",
    engine: "ollama",
    flaps: false,
    args: ["--models", "m", "--loaded", "m", "--num-parallel", "32", "--chunk-delay-ms", "4", "--anthropic"],
  },
  // Restarted llama.cpp answers 503 "Loading model" for a while.
  { name: "llama-flaky", engine: "llamacpp", flaps: true, args: ["--models", "m", "--load-delay-ms", "300", "--num-parallel", "16", "--chunk-delay-ms", "4"] },
];

export const ALIASES = ["coder", "chat", "mixed"] as const;
type SoakAlias = (typeof ALIASES)[number];

/** The backends each alias may use (the flaky one first, so failover is exercised). */
const ALIAS_TARGETS: Record<SoakAlias, readonly string[]> = {
  coder: ["vllm-flaky", "vllm-steady"],
  chat: ["ollama-flaky", "ollama-steady"],
  mixed: ["llama-flaky", "vllm-steady", "ollama-steady"],
};

export function routerConfig(urls: Record<string, string>, variant: number): RouterConfigInput {
  const rotate = <T>(xs: readonly T[]): T[] => {
    // Odd variants put the steady backend first: a reload changes the order, never the set.
    const k = variant % xs.length;
    return [...xs.slice(k), ...xs.slice(0, k)];
  };
  const backends: RouterConfigInput["backends"] = {};
  for (const f of FAKES) backends[f.name] = { engine: f.engine, url: urls[f.name] ?? "" };
  const aliases: RouterConfigInput["aliases"] = {};
  for (const a of ALIASES)
    aliases[a] = { description: `soak variant ${variant}`, targets: rotate(ALIAS_TARGETS[a]).map((backend) => ({ backend, model: "m" })) };
  return {
    listen: { host: "127.0.0.1", port: 0 },
    backends,
    aliases,
    // Scaled down from production (5 s probes, 30 s ejections) so a short soak sees several cycles.
    health: { intervalMs: 500, timeoutMs: 400, maxIntervalMs: 1_000 },
    ejection: { consecutiveFailures: 2, baseMs: 1_000, maxMs: 4_000, jitter: 0.1, busyMs: 500 },
    timeouts: { connectMs: 1_000, firstByteMs: 15_000, idleMs: 10_000, keepAliveMs: 1_000 },
    logging: { level: "info" },
  };
}

/** Invalid files the router must reject (keeping its table): broken JSON, unknown backend, bad types. */
export function invalidConfigText(urls: Record<string, string>, n: number): string {
  const good = routerConfig(urls, 0);
  switch (n % 4) {
    case 0:
      return JSON.stringify(good).slice(0, 57);
    case 1:
      return JSON.stringify({ ...good, aliases: { ...good.aliases, coder: { targets: [{ backend: "nowhere", model: "m" }] } } });
    case 2:
      return JSON.stringify({ ...good, timeouts: { firstByteMs: -5 } });
    default:
      return JSON.stringify({ ...good, backends: { ...good.backends, "vllm-steady": { engine: "tgi", url: "ftp://x" } } });
  }
}
