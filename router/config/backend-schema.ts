// A backend of the router's configuration (part of the contract in schema.ts): where an engine
// listens, what it is, and how the router treats it. Also the names and timer bounds the rest of the
// schema shares.
import { z } from "zod";

/** Names used as map keys and in metrics labels: backends, aliases, key names. */
export const nameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "must start with a letter or digit and use only letters, digits, '.', '_', ':', '-' (max 128)");

/** The longest delay a Node timer keeps (about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;
export const positiveMs = z.number().int().positive().max(MAX_TIMER_MS, "must be at most 2147483647 ms (about 24.8 days)");
export const nonNegativeMs = z.number().int().nonnegative().max(MAX_TIMER_MS, "must be at most 2147483647 ms (about 24.8 days)");

/**
 * Why a backend URL is not a server's root. The messages name the part to drop but never quote
 * credentials (the URL may be shown on /status or in a log).
 */
function urlProblems(u: string): string[] {
  if (!URL.canParse(u)) return [];
  const url = new URL(u);
  const out: string[] = [];
  if (url.username || url.password) out.push("must not carry credentials (user:password@): put the backend's key in its apiKey field");
  if (url.search || url.hash) out.push("must not carry a query or fragment");
  if (url.pathname !== "/") {
    const path = url.pathname.length > 64 ? `${url.pathname.slice(0, 64)}…` : url.pathname;
    out.push(`must be the server's root: drop the path "${path}" (the router appends /v1/..., /api/... and /health itself)`);
  }
  return out;
}

const engineSchema = z.enum(["vllm", "ollama", "llamacpp", "openai"]);
export type Engine = z.infer<typeof engineSchema>;

export const backendSchema = z.strictObject({
  engine: engineSchema,
  /** The server's root; the router appends /v1/..., /api/..., /health. */
  url: z
    .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
    // The form a connection pool accepts (an origin, nothing after it): what passes here never makes
    // the pool throw, at start-up or on a reload (test/router/config/pool-urls.test.ts). Runs even
    // when the URL check above failed, so it must not assume a parseable URL.
    .superRefine((u, ctx) => {
      for (const message of urlProblems(u)) ctx.addIssue({ code: "custom", message });
    }),
  /** Requests in flight at once; Ollama with OLLAMA_NUM_PARALLEL=1 takes one at a time. Absent = unbounded. */
  maxConcurrency: z.number().int().positive().optional(),
  /** When at maxConcurrency: how many requests may wait, and for how long, before spilling to the next target. */
  queue: z
    .strictObject({
      maxLength: z.number().int().nonnegative().default(16),
      maxWaitMs: nonNegativeMs.default(30_000),
    })
    .prefault({}),
  /** The backend's own bearer key, if it has one (never the client's). */
  apiKey: z
    .string()
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces: it is sent as an Authorization: Bearer header")
    .optional(),
  /** Whether the backend speaks Anthropic Messages natively: auto decides from the engine and its version. */
  anthropic: z.enum(["auto", "native", "translate"]).default("auto"),
  /** Context length to assume when the engine does not report one (tokens). */
  contextLength: z.number().int().positive().optional(),
  /** The models this backend is declared to have (the stack's Ollama `models`, what vLLM or llama.cpp serves): /status marks one the engine does not have. */
  models: z.array(z.string().min(1)).optional(),
});
export type BackendConfig = z.infer<typeof backendSchema>;
