// The dashboard suite's workload: every face, streamed and whole, on each alias, plus one failing
// alias, one stream whose client did not ask for usage and one eviction; and the usage each answer
// carried, read in the client's own dialect.
import { eventually } from "./http.js";

export interface Sent {
  /** Per backend, the tokens the engines reported for the answers (the fakes: 7 and 5 each). */
  tokens: Record<string, { prompt: number; completion: number }>;
  answers: number;
  /** Answers the engine gave without usage (Ollama's legacy /api/embeddings). */
  unknown: number;
}

type Face = "openai" | "anthropic" | "ollama";

interface Call {
  face: Face;
  path: string;
  body: Record<string, unknown>;
  stream: boolean;
}

const messages = [{ role: "user", content: "hello there, how are you" }];

function calls(alias: string, completions: boolean): Call[] {
  const out: Call[] = [];
  for (const stream of [false, true]) {
    const usage = stream ? { stream_options: { include_usage: true } } : {};
    out.push({ face: "openai", path: "/v1/chat/completions", body: { model: alias, messages, max_tokens: 8, stream, ...usage }, stream });
    if (completions) out.push({ face: "openai", path: "/v1/completions", body: { model: alias, prompt: "hello", max_tokens: 8, stream, ...usage }, stream });
    out.push({ face: "anthropic", path: "/v1/messages", body: { model: alias, messages, max_tokens: 8, stream }, stream });
    out.push({ face: "ollama", path: "/api/chat", body: { model: alias, messages, stream, options: { num_predict: 8 } }, stream });
    out.push({ face: "ollama", path: "/api/generate", body: { model: alias, prompt: "hello", stream, options: { num_predict: 8 } }, stream });
  }
  return out;
}

/** Each JSON payload of an answer: SSE `data:` lines, NDJSON lines, or the one JSON body. */
function payloads(text: string): Record<string, unknown>[] {
  const lines = text.split("\n").map((l) => (l.startsWith("data:") ? l.slice(5).trim() : l.trim()));
  return lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The usage an answer carried in its client's dialect (the last report of each field wins). */
function clientUsage(face: Face, text: string): { prompt?: number; completion?: number } {
  const out: { prompt?: number; completion?: number } = {};
  for (const p of payloads(text)) {
    if (face === "ollama") {
      if (p.done === true) Object.assign(out, { prompt: p.prompt_eval_count, completion: p.eval_count });
      continue;
    }
    const u = (p.usage ?? (p.message as { usage?: unknown } | undefined)?.usage) as Record<string, number> | undefined;
    if (!u) continue;
    if (face === "openai") Object.assign(out, { prompt: u.prompt_tokens, completion: u.completion_tokens });
    else {
      if (u.input_tokens !== undefined) out.prompt = u.input_tokens;
      if (u.output_tokens !== undefined) out.completion = u.output_tokens;
    }
  }
  return out;
}

async function send(url: string, c: Call): Promise<string> {
  const res = await fetch(url + c.path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(c.body),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${c.path} ${JSON.stringify(c.body.model)}: ${res.status} ${text.slice(0, 300)}`);
  return text;
}

export async function runWorkload(
  url: string,
  o: { fakes: Record<string, string>; ollamaFake: string; real: [string, string]; broken: string },
): Promise<Sent> {
  const sent: Sent = { tokens: {}, answers: 0, unknown: 0 };
  const add = (backend: string, prompt: number, completion: number): void => {
    const t = (sent.tokens[backend] ??= { prompt: 0, completion: 0 });
    t.prompt += prompt;
    t.completion += completion;
  };
  const aliases = Object.entries(o.fakes);
  for (const [i, [alias, backend]] of aliases.entries()) {
    // Before the second model of the one-model Ollama fake loads, a probe must have seen the first
    // loaded: then the next probe sees it evicted.
    if (i > 0 && backend === aliases[i - 1]?.[1]) await untilLoaded(url, backend, aliases[i - 1]![0]);
    for (const c of calls(alias, true)) {
      await send(url, c);
      sent.answers++;
      add(backend, 7, 5);
    }
  }
  const [real, realBackend] = o.real;
  for (const c of calls(real, false)) {
    const u = clientUsage(c.face, await send(url, c));
    if (u.prompt === undefined || u.completion === undefined) throw new Error(`no usage in the answer to ${c.path} (stream ${c.stream})`);
    sent.answers++;
    add(realBackend, u.prompt, u.completion);
  }
  // A stream whose client did not ask for usage is still counted: the router asks the engine for it.
  const [first, firstBackend] = aliases[0]!;
  const quiet = await send(url, { face: "openai", path: "/v1/chat/completions", body: { model: first, messages, stream: true }, stream: true });
  if (quiet.includes('"usage"')) throw new Error("a client that did not ask for usage got a usage chunk");
  sent.answers++;
  add(firstBackend, 7, 5);
  // An answer without any usage (Ollama's legacy embeddings): unknown, not zero.
  const ollamaAlias = aliases.find(([, b]) => b === o.ollamaFake)![0];
  await send(url, { face: "ollama", path: "/api/embeddings", body: { model: ollamaAlias, prompt: "hello" }, stream: false });
  sent.unknown++;
  const broken = await fetch(url + "/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: o.broken, messages }),
  });
  await broken.text();
  if (broken.status < 500) throw new Error(`the broken alias answered ${broken.status}`);
  await eventually(
    "the router to see an eviction",
    async () => ((await (await fetch(url + "/metrics")).text()).includes("router_model_evictions_total{") ? true : undefined),
    20_000,
  );
  return sent;
}

/** Until the router's probes show `alias`'s model loaded on `backend`. */
async function untilLoaded(url: string, backend: string, alias: string): Promise<void> {
  await eventually(
    `${alias} loaded on ${backend}`,
    async () => {
      const s = (await (await fetch(url + "/status.json")).json()) as {
        aliases: { name: string; targets: { model_state: string }[] }[];
        backends: { name: string; models: { loaded: boolean }[] }[];
      };
      const loaded = s.backends.find((b) => b.name === backend)?.models.some((m) => m.loaded) === true;
      return loaded ? true : undefined;
    },
    20_000,
  );
}
