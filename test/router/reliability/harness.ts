// Fault-injection set-up on top of the router fixture: a router with a fixed random
// draw, and a ledger of which backend saw which request (each request carries a unique marker).
import type { FakeEngine, FakeEngineOptions, FakeRequest } from "../../../tools/fakes/index.js";
import type { RouterConfig } from "../../../router/config/schema.js";
import { routerFixture, startRouter as startAny, type Fixture, type Running, type StartOptions } from "../harness.js";

export { config, sha256, until, untilAllUp, type Fixture, type Running } from "../harness.js";

/** A fixed random so ejection times are exact (jitter aside). */
const faultStart: StartOptions = { random: () => 0.5 };

export function startRouter(cfg: RouterConfig): Promise<Running> {
  return startAny(cfg, faultStart);
}

/** The router fixture with the fault-injection start options; stops everything after each test. */
export function faultFixture(): Fixture {
  return routerFixture("each", faultStart);
}

/** Which backends generated for each request marker (the first word of the user message). */
export class Ledger {
  readonly seen = new Map<string, string[]>();

  record(backend: string, req: FakeRequest): void {
    const marker = req.lastUserMessage.split(/\s+/)[0] ?? "";
    this.seen.set(marker, [...(this.seen.get(marker) ?? []), backend]);
  }

  /** Every marker went to at most 1 + maxRetries backends, never the same one twice. */
  attempts(marker: string): string[] {
    return this.seen.get(marker) ?? [];
  }
}

/** A fake whose generations are long enough to be cut, and that writes who served what in the ledger. */
export function ledgerFake(fx: Fixture, ledger: Ledger, name: string, opts: Omit<FakeEngineOptions, "reply">): Promise<FakeEngine> {
  return fx.fake({
    ...opts,
    reply: (req) => {
      ledger.record(name, req);
      return { content: `${name} ` + "word ".repeat(30) };
    },
  });
}

/** Reads an OpenAI SSE body: data payloads in order, and whether [DONE] came. */
function openaiEvents(text: string): { data: Record<string, unknown>[]; done: boolean } {
  const data: Record<string, unknown>[] = [];
  let done = false;
  for (const line of text.split("\n")) {
    if (!line.startsWith("data:")) continue;
    const d = line.slice(5).trim();
    if (d === "[DONE]") done = true;
    else data.push(JSON.parse(d) as Record<string, unknown>);
  }
  return { data, done };
}

export async function post(url: string, body: unknown, signal?: AbortSignal): Promise<{ status: number; text: string; backend: string | null }> {
  const r = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify(body),
    signal: signal ?? null,
  });
  return { status: r.status, text: await r.text(), backend: r.headers.get("x-router-backend") };
}

export type FaceName = "openai" | "anthropic" | "ollama";
export const FACES: FaceName[] = ["openai", "anthropic", "ollama"];

export function ask(face: FaceName, marker: string, stream: boolean): { path: string; body: unknown } {
  const messages = [{ role: "user", content: `${marker} please answer` }];
  if (face === "openai") return { path: "/v1/chat/completions", body: { model: "coder", messages, stream } };
  if (face === "anthropic") return { path: "/v1/messages", body: { model: "coder", messages, stream, max_tokens: 100 } };
  return { path: "/api/chat", body: { model: "coder", messages, stream } };
}

/** How a streamed answer ended, in any dialect: completed, or an in-band error as the last thing said. */
export function streamEnd(face: FaceName, text: string): "complete" | "in-band-error" | "truncated" {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const last = lines.at(-1) ?? "";
  if (face === "openai") {
    const { data, done } = openaiEvents(text);
    if (done) return data.some((d) => "error" in d) ? "truncated" : "complete";
    return "error" in (data.at(-1) ?? {}) ? "in-band-error" : "truncated";
  }
  if (face === "anthropic") {
    if (text.includes('"type":"message_stop"')) return text.includes('"type":"error"') ? "truncated" : "complete";
    return last.startsWith("data:") && (JSON.parse(last.slice(5)) as { type?: string }).type === "error" ? "in-band-error" : "truncated";
  }
  const end = JSON.parse(last) as { done?: boolean; error?: string };
  if (end.done === true) return "complete";
  return typeof end.error === "string" ? "in-band-error" : "truncated";
}

/** The message of the in-band error a stream ended with, in any dialect; undefined when it did not end in one. */
export function inBandMessage(face: FaceName, text: string): string | undefined {
  if (streamEnd(face, text) !== "in-band-error") return undefined;
  const last =
    text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .at(-1) ?? "";
  const value = JSON.parse(face === "ollama" ? last : last.slice(5)) as { error?: string | { message?: string } };
  return typeof value.error === "string" ? value.error : value.error?.message;
}

/** The per-request log lines among a router's log lines, parsed. */
export function requestLines(logs: string[]): Record<string, unknown>[] {
  return logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "request");
}
