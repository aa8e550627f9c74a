// The three client faces of the router, reached the way a home user reaches them: through Traefik at
// https://<domain>, with a router key (OpenAI base /api/v1, Anthropic base /api, Ollama base /).
import { authHeaders, publicBase, traefikFetch } from "./lab.js";

export interface Answer {
  status: number;
  backend: string | null;
  text: string;
}

async function answer(res: Awaited<ReturnType<typeof traefikFetch>>): Promise<Answer> {
  return { status: res.status, backend: res.headers.get("x-router-backend"), text: await res.text() };
}

export async function openaiChat(model: string, timeoutMs = 60_000): Promise<Answer> {
  return answer(
    await traefikFetch(`${publicBase}/api/v1/chat/completions`, {
      method: "POST",
      headers: authHeaders(),
      body: JSON.stringify({ model, messages: [{ role: "user", content: "hello" }], max_tokens: 8 }),
      signal: AbortSignal.timeout(timeoutMs),
    }),
  );
}

/** Anthropic Messages, streamed: the answer's text is the SSE stream. */
export async function anthropicStream(model: string): Promise<Answer> {
  return answer(
    await traefikFetch(`${publicBase}/api/v1/messages`, {
      method: "POST",
      headers: { ...authHeaders(), "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model, max_tokens: 8, stream: true, messages: [{ role: "user", content: "hello" }] }),
      signal: AbortSignal.timeout(60_000),
    }),
  );
}

export async function ollamaChat(model: string): Promise<Answer> {
  return answer(
    await traefikFetch(`${publicBase}/api/chat`, {
      method: "POST",
      headers: authHeaders(),
      body: JSON.stringify({ model, stream: false, messages: [{ role: "user", content: "hello" }], options: { num_predict: 8 } }),
      signal: AbortSignal.timeout(60_000),
    }),
  );
}

/** A plain GET through Traefik, with optional extra headers (a browser's session cookie). */
export async function get(path: string, headers: Record<string, string> = {}): Promise<Answer & { standin: string | null }> {
  const res = await traefikFetch(`${publicBase}${path}`, { headers, signal: AbortSignal.timeout(20_000) });
  return { ...(await answer(res)), standin: res.headers.get("x-standin") };
}
