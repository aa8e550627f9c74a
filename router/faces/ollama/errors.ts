// Ollama's error shape: {"error": "message"} with an HTTP status (docs/api.md, "Errors"); in a
// stream, a final NDJSON line {"error": "..."} (what the ollama clients raise).
import type { Rendered, RouterError } from "../types.js";

export function renderOllamaError(err: RouterError): Rendered {
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
  if (err.retryAfterS !== undefined) headers["retry-after"] = String(err.retryAfterS);
  return { status: err.status, headers, body: JSON.stringify({ error: err.message }) };
}

export function ollamaInBandError(err: RouterError): string {
  return JSON.stringify({ error: err.message }) + "\n";
}
