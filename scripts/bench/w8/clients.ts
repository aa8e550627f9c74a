// Plays W8's agents against one system's Ollama face (/api/chat, streamed): each agent runs its
// conversations one after another, each turn after the model's answer to the last and a think time,
// and records per turn its time to first token, which engine answered and what the engine's last
// line said (prompt_eval_count, prompt_eval_duration).
import http from "node:http";
import type { W8Conversation, W8Plan, W8Script } from "./plan.js";
import { W8_MODEL } from "./engines.js";

export interface W8Face {
  url: string;
  /** The engine that answered, from the response's headers (the router's x-router-backend). */
  engineOf(headers: http.IncomingHttpHeaders): string | undefined;
}

export interface TurnResult {
  agent: number;
  conversation: number;
  turn: number;
  /** ms from the start of the run. */
  sentAtMs: number;
  ttftMs: number | undefined;
  e2eMs: number;
  ok: boolean;
  error?: string;
  engine: string | undefined;
  promptEvalCount: number | undefined;
  promptEvalMs: number | undefined;
  /** Tokens the engine evaluated (its runner's log), filled in after the run. */
  evaluated?: number;
}

type Message = { role: "system" | "user" | "assistant"; content: string };

interface Answer {
  content: string;
  ttftMs: number | undefined;
  engine: string | undefined;
  last: Record<string, unknown> | undefined;
  status: number;
}

function chat(face: W8Face, agent: http.Agent, messages: Message[], numPredict: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const payload = JSON.stringify({ model: W8_MODEL, stream: true, messages, options: { num_predict: numPredict } });
    const req = http.request(
      face.url,
      { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } },
      (res) => {
        const a: Answer = { content: "", ttftMs: undefined, engine: face.engineOf(res.headers), last: undefined, status: res.statusCode ?? 0 };
        let buf = "";
        res.setEncoding("utf8");
        res.on("data", (s: string) => {
          buf += s;
          let nl = buf.indexOf("\n");
          while (nl >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            nl = buf.indexOf("\n");
            if (line === "") continue;
            const j = JSON.parse(line) as { message?: { content?: string }; done?: boolean };
            const piece = j.message?.content ?? "";
            if (piece !== "" && a.ttftMs === undefined) a.ttftMs = performance.now() - started;
            a.content += piece;
            if (j.done) a.last = j;
          }
        });
        res.on("end", () => resolve(a));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

async function conversation(
  face: W8Face,
  agent: http.Agent,
  plan: W8Plan,
  system: string,
  c: W8Conversation,
  unitMs: number,
  t0: number,
  out: TurnResult[],
): Promise<void> {
  const messages: Message[] = [
    { role: "system", content: system },
    { role: "user", content: c.task },
  ];
  for (let turn = 0; turn < plan.turns; turn++) {
    if (turn > 0) {
      await new Promise((r) => setTimeout(r, (c.thinks[turn - 1] ?? 0) * unitMs));
      messages.push({ role: "user", content: c.tools[turn - 1] ?? "" });
    }
    const sent = performance.now();
    const base = { agent: c.agent, conversation: c.index, turn, sentAtMs: sent - t0 };
    try {
      const a = await chat(face, agent, messages, plan.model.numPredict);
      const ok = a.status === 200 && a.last !== undefined;
      out.push({
        ...base,
        ttftMs: a.ttftMs,
        e2eMs: performance.now() - sent,
        ok,
        ...(ok ? {} : { error: `status ${a.status}` }),
        engine: a.engine,
        promptEvalCount: typeof a.last?.prompt_eval_count === "number" ? a.last.prompt_eval_count : undefined,
        promptEvalMs: typeof a.last?.prompt_eval_duration === "number" ? a.last.prompt_eval_duration / 1e6 : undefined,
      });
      if (!ok) return;
      messages.push({ role: "assistant", content: a.content });
    } catch (e) {
      out.push({
        ...base,
        ttftMs: undefined,
        e2eMs: performance.now() - sent,
        ok: false,
        error: e instanceof Error ? e.message : String(e),
        engine: undefined,
        promptEvalCount: undefined,
        promptEvalMs: undefined,
      });
      return;
    }
  }
}

/**
 * Runs every agent at once, each through its conversations; resolves with every turn's result.
 * `unitMs` is the script's unit of tool time (the engine's time for a 2,000-token prompt).
 */
export async function runAgents(face: W8Face, plan: W8Plan, script: W8Script, unitMs: number): Promise<{ results: TurnResult[]; wallMs: number }> {
  const t0 = performance.now();
  const results: TurnResult[] = [];
  await Promise.all(
    script.agents.map(async (convs, i) => {
      await new Promise((r) => setTimeout(r, (script.starts[i] ?? 0) * unitMs));
      // Each agent its own keep-alive connection, as separate programs would have.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (const c of convs) await conversation(face, agent, plan, script.system, c, unitMs, t0, results);
      } finally {
        agent.destroy();
      }
    }),
  );
  return { results, wallMs: performance.now() - t0 };
}
