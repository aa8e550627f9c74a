// W6, the home-lab routing workload, as data: the engines (single-slot Ollama fakes that hold one
// model and load each in its own time, one vLLM fake that always has its model), the aliases over
// them, and a seeded mix of clients (agents alternating aliases, IDE completions, one long stream),
// with one Ollama killed and restarted mid-run. Pure, so the same seed always gives the same run.
import { prng } from "../../soak/prng.js";

export type AliasName = "coder" | "agent" | "micro";

export interface EngineSpec {
  name: string;
  engine: "ollama" | "vllm";
  /** Installed (Ollama) or served (vLLM) models: named like the aliases, so a proxy that cannot rewrite the model name works too. */
  models: AliasName[];
  /** Ollama: cold-load time per model. */
  loadDelaysMs?: Partial<Record<AliasName, number>>;
  /** Time per generated token. */
  chunkDelayMs: number;
}

export type ClientKind = "agent" | "ide" | "long";

export interface W6Request {
  alias: AliasName;
  stream: boolean;
  maxTokens: number;
  /** Chat messages as sent (an agent's conversation grows step by step). */
  messages: { role: "system" | "user" | "assistant"; content: string }[];
  /** Open loop: when to send, from the start. Closed loop: pause after the previous answer. */
  atMs: number;
}

export interface ClientScript {
  name: string;
  kind: ClientKind;
  /** open: sent on schedule whatever the answers (an IDE firing on keystrokes); closed: one after another. */
  loop: "open" | "closed";
  requests: W6Request[];
}

export interface W6Plan {
  seed: number;
  size: "full" | "quick";
  engines: EngineSpec[];
  /** Alias → backends in configured order (the same order for every system that has one). */
  aliases: Record<AliasName, string[]>;
  clients: ClientScript[];
  /** The Ollama that is killed, and when it goes down and comes back (ms from the start). */
  victim: string;
  killAtMs: number;
  restartAtMs: number;
  /** Nominal length of the schedule; the run ends when every client is done. */
  durationMs: number;
  /** Hard end: whatever has not finished by then counts as failed. */
  deadlineMs: number;
}

interface Size {
  durationMs: number;
  /** Scales every engine time (loads, tokens) and client pause, so the quick run keeps the proportions. */
  timeScale: number;
  agents: number;
  agentSteps: number;
  ideClients: number;
  longStreams: number;
}

const SIZES: Record<W6Plan["size"], Size> = {
  full: { durationMs: 30_000, timeScale: 1, agents: 3, agentSteps: 11, ideClients: 2, longStreams: 3 },
  quick: { durationMs: 10_000, timeScale: 0.5, agents: 3, agentSteps: 6, ideClients: 2, longStreams: 2 },
};

/** Typical home-lab load times (a 30B coder model takes longest) and token rates, before scaling. */
const LOAD_MS: Record<AliasName, number> = { coder: 3_000, agent: 2_000, micro: 1_000 };
const OLLAMA_TOKEN_MS = 15;
const VLLM_TOKEN_MS = 10;

const TASKS = [
  "refactor the parser",
  "add a test for the cache",
  "fix the failing build",
  "rename the config field",
  "explain the stack trace",
  "write the migration",
];

export function w6Plan(seed: number, size: W6Plan["size"]): W6Plan {
  const s = SIZES[size];
  const rand = prng(seed);
  const between = (lo: number, hi: number): number => Math.round(lo + (hi - lo) * rand());
  const t = (ms: number): number => Math.round(ms * s.timeScale);
  const ollama = (name: string): EngineSpec => ({
    name,
    engine: "ollama",
    models: ["coder", "agent", "micro"],
    loadDelaysMs: { coder: t(LOAD_MS.coder), agent: t(LOAD_MS.agent), micro: t(LOAD_MS.micro) },
    chunkDelayMs: t(OLLAMA_TOKEN_MS),
  });
  const engines: EngineSpec[] = [ollama("ollama-1"), ollama("ollama-2"), { name: "vllm", engine: "vllm", models: ["coder"], chunkDelayMs: t(VLLM_TOKEN_MS) }];
  const aliases: Record<AliasName, string[]> = { coder: ["vllm", "ollama-1", "ollama-2"], agent: ["ollama-1", "ollama-2"], micro: ["ollama-1", "ollama-2"] };

  const clients: ClientScript[] = [];
  for (let a = 0; a < s.agents; a++) {
    const name = `agent-${a + 1}`;
    const system = { role: "system" as const, content: `You are ${name}, a coding agent working in repository ${a + 1}.` };
    const history: W6Request["messages"] = [system];
    const requests: W6Request[] = [];
    for (let step = 0; step < s.agentSteps; step++) {
      // Two planning/tool steps on the agent model, then one code step on the coder model.
      const alias: AliasName = step % 3 === 2 ? "coder" : "agent";
      history.push({ role: "user", content: `${name} step ${step + 1}: ${TASKS[between(0, TASKS.length - 1)]}` });
      requests.push({
        alias,
        stream: true,
        maxTokens: between(20, 60),
        messages: [...history],
        atMs: step === 0 ? between(0, t(1_500)) : between(t(500), t(2_500)),
      });
      history.push({ role: "assistant", content: `done with step ${step + 1}` });
    }
    clients.push({ name, kind: "agent", loop: "closed", requests });
  }
  for (let i = 0; i < s.ideClients; i++) {
    const requests: W6Request[] = [];
    for (let at = between(0, t(1_000)); at < s.durationMs; at += between(t(800), t(2_500))) {
      requests.push({
        alias: "micro",
        stream: false,
        maxTokens: between(6, 20),
        messages: [{ role: "user", content: `complete line ${requests.length + 1} of file ${i + 1}` }],
        atMs: at,
      });
    }
    clients.push({ name: `ide-${i + 1}`, kind: "ide", loop: "open", requests });
  }
  const long: W6Request[] = [];
  for (let i = 0; i < s.longStreams; i++) {
    long.push({
      alias: "coder",
      stream: true,
      maxTokens: 300,
      messages: [{ role: "user", content: `write module ${i + 1} in full` }],
      atMs: i === 0 ? t(500) : t(1_000),
    });
  }
  clients.push({ name: "long-1", kind: "long", loop: "closed", requests: long });

  return {
    seed,
    size,
    engines,
    aliases,
    clients,
    victim: "ollama-2",
    killAtMs: Math.round(s.durationMs * 0.35),
    restartAtMs: Math.round(s.durationMs * 0.6),
    durationMs: s.durationMs,
    // Bounded: a system whose queues grow without end cannot hold the whole run hostage.
    deadlineMs: Math.round(s.durationMs * 1.5),
  };
}

/** Every request of the plan, for counting. */
export function planRequests(plan: W6Plan): number {
  return plan.clients.reduce((n, c) => n + c.requests.length, 0);
}
