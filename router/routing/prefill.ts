// How fast an engine evaluates prompts, from what its answers say about themselves: the last bytes of
// an answer are kept (a Tail) and read once it ends. Ollama's native answers end with
// `prompt_eval_count` and `prompt_eval_duration` (nanoseconds) (ollama docs/api.md, "Generate a chat
// completion"); llama.cpp's server adds `timings` with `prompt_n`, `prompt_ms` and `cache_n` (tokens
// taken from its cache) (llama.cpp tools/server/README.md, "POST /completion"). Other answers say
// nothing about prefill and are ignored.

/** What one answer said: tokens evaluated, in how long, and the prompt's whole size when known. */
export interface PrefillReport {
  evaluated: number;
  seconds: number;
  promptTokens: number | undefined;
}

/** Enough for the closing object of an Ollama or llama.cpp answer, whatever precedes it. */
const TAIL_BYTES = 4096;

/** The last bytes of an answer as it passes. */
export class Tail {
  private chunks: Buffer[] = [];
  private bytes = 0;

  push(chunk: Buffer | string): void {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    this.chunks.push(b);
    this.bytes += b.length;
    while (this.chunks.length > 1 && this.bytes - (this.chunks[0] as Buffer).length >= TAIL_BYTES) {
      this.bytes -= (this.chunks.shift() as Buffer).length;
    }
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - TAIL_BYTES)).toString("utf8");
  }
}

function last(text: string, field: string): number | undefined {
  const re = new RegExp(`"${field}"\\s*:\\s*(\\d+(?:\\.\\d+)?)`, "g");
  let found: number | undefined;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) found = Number(m[1]);
  return found;
}

/** The prefill an answer reports, or undefined when it reports none. */
export function prefillReport(tail: string): PrefillReport | undefined {
  const ollamaCount = last(tail, "prompt_eval_count");
  const ollamaNs = last(tail, "prompt_eval_duration");
  if (ollamaCount !== undefined && ollamaNs !== undefined) return { evaluated: ollamaCount, seconds: ollamaNs / 1e9, promptTokens: ollamaCount };
  const n = last(tail, "prompt_n");
  const ms = last(tail, "prompt_ms");
  if (n !== undefined && ms !== undefined) {
    const cached = last(tail, "cache_n");
    return { evaluated: n, seconds: ms / 1000, promptTokens: last(tail, "prompt_tokens") ?? (cached === undefined ? undefined : n + cached) };
  }
  return undefined;
}
