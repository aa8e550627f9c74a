// W8: agents whose conversations grow turn by turn, against two real Ollama servers serving the same
// model (one with a single slot, one with OLLAMA_NUM_PARALLEL=2). Each agent runs its conversations
// one after another: a conversation is a system prompt shared by every agent (the same tool), a task
// of its own, then turns that each add the model's answer and a tool result after a tool's run. As
// many agents as slots, and a new conversation starts whenever an agent finishes one: more
// conversations than slots in total, so the engines' caches cannot keep every conversation. (With
// more conversations live at once than slots, one always loses its cache whatever the routing; see
// docs/bench.md, W8.) The same seed plays the same script for every system.
import { prng } from "../../soak/prng.js";

interface W8Engine {
  name: string;
  /** OLLAMA_NUM_PARALLEL: the engine's slots, each with a cached prefix of its own. */
  numParallel: number;
  /**
   * The CPU the server runs on, when the machine has one per engine: two hosts share no cores, and two
   * servers left to share them make a target with a free slot no faster than a busy one.
   */
  cpu: number;
}

/** The generated model: a llama with random weights and a byte-level vocabulary (one byte, one token). */
interface W8Model {
  embedding: number;
  heads: number;
  layers: number;
  feedForward: number;
  /** Per slot (Ollama multiplies num_ctx by OLLAMA_NUM_PARALLEL). */
  numCtx: number;
  /** Tokens generated per turn: short, so the prompt's evaluation is most of a turn. */
  numPredict: number;
}

export interface W8Plan {
  size: "quick" | "full";
  seed: number;
  engines: W8Engine[];
  model: W8Model;
  agents: number;
  conversationsPerAgent: number;
  turns: number;
  /** Bytes (tokens) of the shared system prompt, of a conversation's task, and of each tool result. */
  systemBytes: number;
  taskBytes: number;
  toolBytes: number;
  /**
   * A tool's run between an answer and the next turn, drawn uniformly from this range, in units of
   * the time the engine takes to read a 2,000-token prompt (measured at the start of the run): tool
   * time and model time keep their proportion on a fast machine and on a loaded one.
   */
  think: [number, number];
}

export function w8Plan(seed: number, size: "quick" | "full"): W8Plan {
  const quick = size === "quick";
  return {
    size,
    seed,
    engines: [
      { name: "ollama-one", numParallel: 1, cpu: 0 },
      { name: "ollama-two", numParallel: 2, cpu: 1 },
    ],
    model: { embedding: 64, heads: 4, layers: 4, feedForward: 256, numCtx: 8192, numPredict: 12 },
    agents: 3,
    conversationsPerAgent: quick ? 2 : 3,
    // An agent's task is many tool calls; ten turns is still a short one (the gap between keeping a
    // conversation's cache and losing it grows with every turn: docs/bench.md, W8).
    turns: quick ? 3 : 10,
    systemBytes: 1_200,
    taskBytes: 500,
    toolBytes: 400,
    think: [0.25, 1.5],
  };
}

const WORDS = ["read", "file", "test", "error", "line", "build", "patch", "diff", "module", "call", "value", "type", "import", "return", "check", "branch"];

/** Plain ASCII words: every byte is one token of the model's vocabulary. */
function text(rand: () => number, bytes: number): string {
  let s = "";
  while (s.length < bytes) s += `${WORDS[Math.floor(rand() * WORDS.length)] ?? "x"}${Math.floor(rand() * 100)} `;
  return s.slice(0, bytes);
}

export interface W8Conversation {
  agent: number;
  index: number;
  task: string;
  /** The tool result that opens each turn after the first. */
  tools: string[];
  /** Think time before each turn after the first, in units of the 2,000-token prefill (W8Plan.think). */
  thinks: number[];
}

export interface W8Script {
  system: string;
  /** When each agent starts, in the same units as thinks: conversations do not begin in step. */
  starts: number[];
  /** Per agent, its conversations in order. */
  agents: W8Conversation[][];
}

export function w8Script(plan: W8Plan): W8Script {
  const rand = prng(plan.seed);
  const system = `You are a coding agent. Tools: ${text(rand, plan.systemBytes)}`;
  const agents: W8Conversation[][] = [];
  const starts: number[] = [];
  for (let a = 0; a < plan.agents; a++) {
    const convs: W8Conversation[] = [];
    for (let c = 0; c < plan.conversationsPerAgent; c++) {
      const tools: string[] = [];
      const thinks: number[] = [];
      for (let t = 1; t < plan.turns; t++) {
        tools.push(`tool result: ${text(rand, plan.toolBytes)}`);
        thinks.push(plan.think[0] + rand() * (plan.think[1] - plan.think[0]));
      }
      convs.push({ agent: a, index: c, task: `task ${a}.${c}: ${text(rand, plan.taskBytes)}`, tools, thinks });
    }
    agents.push(convs);
    starts.push(a === 0 ? 0 : rand() * 2 * plan.think[1]);
  }
  return { system, starts, agents };
}
