// One soak client request in one of the three dialects, and how its answer is judged: complete,
// failed (with a reason), or aborted by the client on purpose.
import { request, type Dispatcher } from "undici";

export type SoakFace = "openai" | "anthropic" | "ollama";
export const FACES: readonly SoakFace[] = ["openai", "anthropic", "ollama"];

export interface ClientRequest {
  face: SoakFace;
  alias: string;
  stream: boolean;
  /** Abort after this many ms (undefined: never). */
  abortAfterMs?: number;
  n: number;
}

export type Verdict =
  | { kind: "ok" }
  | { kind: "aborted" }
  /** started: the backend's first byte had reached the client (keep-alives aside) before it failed. */
  | { kind: "failed"; reason: string; started: boolean; detail?: string };

function body(r: ClientRequest): { path: string; headers: Record<string, string>; json: unknown } {
  const messages = [{ role: "user", content: `soak request ${r.n} asks for a short answer` }];
  switch (r.face) {
    case "openai":
      return { path: "/v1/chat/completions", headers: {}, json: { model: r.alias, messages, stream: r.stream, max_tokens: 64 } };
    case "anthropic":
      return { path: "/v1/messages", headers: { "anthropic-version": "2023-06-01" }, json: { model: r.alias, messages, stream: r.stream, max_tokens: 64 } };
    case "ollama":
      return { path: "/api/chat", headers: {}, json: { model: r.alias, messages, stream: r.stream } };
  }
}

interface Scan {
  started: boolean;
  /** The last few lines, for the failure samples. */
  lines: string[];
  error: boolean;
  finished: boolean;
}

/** Reads a streamed answer as it arrives: content seen, an in-band error, the dialect's terminator. */
function scanLine(face: SoakFace, line: string, s: Scan): void {
  if (face === "ollama") {
    if (!line.startsWith("{")) return;
    // The Ollama face's keep-alive is an empty unfinished chunk; a backend's chunk carries text or ends the answer.
    const m = JSON.parse(line) as { error?: unknown; done?: boolean; message?: { content?: string; thinking?: string; tool_calls?: unknown } };
    if (m.error !== undefined) s.error = true;
    else if (m.message?.content || m.message?.thinking || m.message?.tool_calls || m.done === true) s.started = true;
    if (m.done === true) s.finished = true;
    return;
  }
  if (!line.startsWith("data:")) return;
  const data = line.slice(5).trim();
  if (face === "openai") {
    if (data === "[DONE]") {
      s.finished = true;
      return;
    }
    // Keep-alives are SSE comments; any data event came from the backend.
    const m = JSON.parse(data) as { error?: unknown };
    if (m.error !== undefined) s.error = true;
    else s.started = true;
    return;
  }
  // Anthropic: ping is the keep-alive; message_start and everything after came from the backend.
  const m = JSON.parse(data) as { type?: string };
  if (m.type === "error") s.error = true;
  else if (m.type !== "ping") s.started = true;
  if (m.type === "message_stop") s.finished = true;
}

function judgeWhole(face: SoakFace, text: string): boolean {
  const m = JSON.parse(text) as Record<string, unknown>;
  if (face === "openai") return Array.isArray(m.choices) && m.choices.length > 0;
  if (face === "anthropic") return m.type === "message" && Array.isArray(m.content);
  return m.done === true && typeof m.message === "object";
}

export async function send(base: string, dispatcher: Dispatcher, r: ClientRequest, timeoutMs: number): Promise<Verdict> {
  const { path, headers, json } = body(r);
  const ac = new AbortController();
  let abortedOnPurpose = false;
  const abortTimer = r.abortAfterMs !== undefined ? setTimeout(() => ((abortedOnPurpose = true), ac.abort()), r.abortAfterMs) : undefined;
  const deadline = setTimeout(() => ac.abort(), timeoutMs);
  const scan: Scan = { started: false, lines: [], error: false, finished: false };
  try {
    const res = await request(base + path, {
      method: "POST",
      dispatcher,
      signal: ac.signal,
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(json),
    });
    if (res.statusCode !== 200) {
      const text = await res.body.text();
      return {
        kind: "failed",
        reason: `status-${res.statusCode}`,
        started: false,
        detail: `${r.face} ${r.alias} ${r.stream ? "stream" : "whole"}: ${text.slice(0, 200)}`,
      };
    }
    if (!r.stream) {
      const text = await res.body.text();
      let good = false;
      try {
        good = judgeWhole(r.face, text);
      } catch {
        good = false;
      }
      return good ? { kind: "ok" } : { kind: "failed", reason: "bad-body", started: false };
    }
    let rest = "";
    for await (const chunk of res.body) {
      rest += (chunk as Buffer).toString("utf8");
      let nl: number;
      while ((nl = rest.indexOf("\n")) >= 0) {
        const line = rest.slice(0, nl).trim();
        rest = rest.slice(nl + 1);
        if (!line) continue;
        scan.lines.push(line);
        if (scan.lines.length > 3) scan.lines.shift();
        scanLine(r.face, line, scan);
      }
    }
    if (rest.trim()) scanLine(r.face, rest.trim(), scan);
    // A translated stream may have relayed nothing visible yet when its backend dies after its first
    // byte (vLLM's role-only first chunk has no Ollama line); the router's message says it had started.
    if (scan.error && scan.lines.some((l) => l.includes("failed mid-response"))) scan.started = true;
    if (scan.error) {
      return {
        kind: "failed",
        reason: scan.started ? "in-band-error-after-start" : "in-band-error-before-start",
        started: scan.started,
        detail: `${r.face} ${r.alias}: ${scan.lines.slice(-3).join(" | ").slice(0, 300)}`,
      };
    }
    if (!scan.finished) return { kind: "failed", reason: "silent-truncation", started: scan.started };
    return { kind: "ok" };
  } catch (err) {
    if (abortedOnPurpose) return { kind: "aborted" };
    if (ac.signal.aborted) return { kind: "failed", reason: "client-timeout", started: scan.started };
    // A reset without an in-band error after content is a silent truncation too.
    const code = (err as { code?: string }).code ?? (err as Error).name;
    return { kind: "failed", reason: scan.started ? "silent-truncation" : `transport-${code}`, started: scan.started };
  } finally {
    clearTimeout(abortTimer);
    clearTimeout(deadline);
  }
}
