// Ollama's error shape: {"error": "message"} with an HTTP status (docs/api.md, "Errors"); in a
// stream, a final NDJSON line {"error": "..."} (what the ollama clients raise).
import { errorAnswer, type Rendered, type RouterError } from "../types.js";

export function renderOllamaError(err: RouterError): Rendered {
  return errorAnswer(err, "application/json; charset=utf-8", JSON.stringify({ error: err.message }));
}

export function ollamaInBandError(err: RouterError): string {
  return JSON.stringify({ error: err.message }) + "\n";
}
