// Plays W6's client scripts against one system's OpenAI face and records every request: when it was
// sent, its first token, its end, and how it failed if it did. Agents and the long stream go one
// request after another (closed loop); IDE clients fire on their schedule (open loop). Each client
// has its own keep-alive connections, as separate programs would.
import { setMaxListeners } from "node:events";
import http from "node:http";
import type { ClientKind, ClientScript, W6Plan, W6Request } from "./plan.js";

export interface W6Face {
  url: string;
  headers: Record<string, string>;
}

export interface RequestResult {
  client: string;
  kind: ClientKind;
  alias: string;
  stream: boolean;
  /** ms from the start of the run. */
  sentAtMs: number;
  /** ms from sending to the first token (streams) or to the whole answer. */
  ttftMs: number | undefined;
  e2eMs: number | undefined;
  ok: boolean;
  /** false: a closed-loop client never got to send it before the deadline. */
  sent: boolean;
  /** Still running at the deadline: its times are lower bounds (time until it was cut). */
  unfinished?: boolean;
  /** before-first-token: nothing reached the client; after-first-token: cut or errored mid-stream. */
  failure?: { phase: "before-first-token" | "after-first-token"; why: string };
  /** The backend that answered, when the system says so (the router's x-router-backend). */
  backend?: string;
}

const CONTENT = /"content":"[^"]/;

function body(r: W6Request): string {
  return JSON.stringify({ model: r.alias, stream: r.stream, max_tokens: r.maxTokens, messages: r.messages });
}

/** One request; resolves with its result, never rejects. `cancel` ends it early (the run's deadline). */
function send(
  face: W6Face,
  agent: http.Agent,
  r: W6Request,
  base: Omit<RequestResult, "ttftMs" | "e2eMs" | "ok" | "sent">,
  t0: bigint,
  cancel: AbortSignal,
): Promise<RequestResult> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const ms = (): number => Number(process.hrtime.bigint() - started) / 1e6;
    let ttft: number | undefined;
    let done = false;
    const finish = (ok: boolean, why?: string, backend?: string, unfinished = false): void => {
      if (done) return;
      done = true;
      cancel.removeEventListener("abort", onCancel);
      const failure = ok ? undefined : { phase: ttft === undefined ? ("before-first-token" as const) : ("after-first-token" as const), why: why ?? "failed" };
      // A request cut at the deadline keeps the time it had waited, a lower bound of its latency.
      const e2e = ok || unfinished ? ms() : undefined;
      if (unfinished && ttft === undefined) ttft = e2e;
      resolve({
        ...base,
        sentAtMs: Number(started - t0) / 1e6,
        ttftMs: ttft,
        e2eMs: e2e,
        ok,
        sent: true,
        ...(unfinished ? { unfinished } : {}),
        ...(failure ? { failure } : {}),
        ...(backend ? { backend } : {}),
      });
    };
    const payload = body(r);
    const req = http.request(face.url, { method: "POST", agent, headers: { ...face.headers, "content-length": Buffer.byteLength(payload) } }, (res) => {
      const backend = typeof res.headers["x-router-backend"] === "string" ? res.headers["x-router-backend"] : undefined;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (s: string) => {
        if (ttft === undefined && r.stream && res.statusCode === 200 && CONTENT.test(text.slice(-64) + s)) ttft = ms();
        // A stream's tail tells whether it ended properly; a whole answer is kept for its check.
        text = r.stream ? (text + s).slice(-4096) : text + s;
      });
      res.on("end", () => {
        if (res.statusCode !== 200) return finish(false, `status ${res.statusCode ?? 0}`, backend);
        if (r.stream) {
          if (/"error"/.test(text)) return finish(false, "in-band error", backend);
          return finish(text.includes("[DONE]"), "stream ended without [DONE]", backend);
        }
        try {
          const parsed = JSON.parse(text) as { choices?: { message?: { content?: string } }[] };
          const ok = typeof parsed.choices?.[0]?.message?.content === "string";
          if (ok) ttft = ms();
          finish(ok, "answer without content", backend);
        } catch {
          finish(false, "answer is not JSON", backend);
        }
      });
      res.on("error", () => finish(false, "connection cut", backend));
      res.on("aborted", () => finish(false, "connection cut", backend));
    });
    const onCancel = (): void => {
      req.destroy();
      finish(false, "not finished by the deadline", undefined, true);
    };
    cancel.addEventListener("abort", onCancel, { once: true });
    req.on("error", (e) => finish(false, `transport: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    req.end(payload);
  });
}

const sleep = (ms: number, cancel: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (cancel.aborted || ms <= 0) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      cancel.removeEventListener("abort", done);
      resolve();
    }
    cancel.addEventListener("abort", done, { once: true });
  });

async function play(face: W6Face, c: ClientScript, t0: bigint, cancel: AbortSignal): Promise<RequestResult[]> {
  const agent = new http.Agent({ keepAlive: true });
  const base = (r: W6Request): Omit<RequestResult, "ttftMs" | "e2eMs" | "ok" | "sentAtMs" | "sent"> => ({
    client: c.name,
    kind: c.kind,
    alias: r.alias,
    stream: r.stream,
  });
  const skipped = (r: W6Request): RequestResult => ({
    ...base(r),
    sentAtMs: Number(process.hrtime.bigint() - t0) / 1e6,
    ttftMs: undefined,
    e2eMs: undefined,
    ok: false,
    sent: false,
  });
  try {
    if (c.loop === "closed") {
      const out: RequestResult[] = [];
      for (const r of c.requests) {
        await sleep(r.atMs, cancel);
        out.push(cancel.aborted ? skipped(r) : await send(face, agent, r, { ...base(r), sentAtMs: 0 }, t0, cancel));
      }
      return out;
    }
    return await Promise.all(
      c.requests.map(async (r) => {
        await sleep(r.atMs - Number(process.hrtime.bigint() - t0) / 1e6, cancel);
        return cancel.aborted ? skipped(r) : send(face, agent, r, { ...base(r), sentAtMs: 0 }, t0, cancel);
      }),
    );
  } finally {
    agent.destroy();
  }
}

export interface Chaos {
  kill(name: string): Promise<void>;
  restart(name: string): Promise<void>;
}

/** Runs every client of the plan at once, the victim's kill and restart on schedule; bounded by the plan's deadline. */
export async function runClients(plan: W6Plan, face: W6Face, chaos: Chaos): Promise<{ results: RequestResult[]; wallMs: number }> {
  const t0 = process.hrtime.bigint();
  const deadline = new AbortController();
  // Every request in flight listens for the deadline.
  setMaxListeners(0, deadline.signal);
  const timer = setTimeout(() => deadline.abort(), plan.deadlineMs);
  const events = (async () => {
    await sleep(plan.killAtMs, deadline.signal);
    await chaos.kill(plan.victim);
    await sleep(plan.restartAtMs - Number(process.hrtime.bigint() - t0) / 1e6, deadline.signal);
    await chaos.restart(plan.victim);
  })();
  try {
    const perClient = await Promise.all(plan.clients.map((c) => play(face, c, t0, deadline.signal)));
    await events;
    return { results: perClient.flat(), wallMs: Number(process.hrtime.bigint() - t0) / 1e6 };
  } finally {
    clearTimeout(timer);
  }
}
