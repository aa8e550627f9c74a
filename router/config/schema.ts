// The router's configuration: the public contract shared with infra/ (which renders it) and the
// router (which loads and hot-reloads it). The smallest valid file (backends, aliases; the README's
// example, test/router/config/schema.test.ts) must keep working: every field added here carries a default.
import { z } from "zod";
import { isObject, referenceProblems } from "./references.js";
import { backendSchema, nameSchema, nonNegativeMs, positiveMs } from "./backend-schema.js";

export { nameSchema, type BackendConfig, type Engine } from "./backend-schema.js";

// The reference check is part of this contract: infra/ runs it on the stack config too.
export { referenceProblems } from "./references.js";

/** How long a stopping router lets requests in flight finish (drainMs) when its config says nothing. */
export const DEFAULT_DRAIN_MS = 30_000;

const targetSchema = z.strictObject({
  backend: nameSchema,
  /** The model name as the backend knows it. */
  model: z.string().min(1).max(256),
  /** Overrides the learned context length for this model on this backend. */
  contextLength: z.number().int().positive().optional(),
});

export const aliasSchema = z.strictObject({
  targets: z.array(targetSchema).min(1, "an alias needs at least one target"),
  description: z.string().max(512).optional(),
  /** Time to the first byte from the backend; long enough for a cold model load by default. */
  firstByteTimeoutMs: positiveMs.optional(),
});
export type AliasConfig = z.infer<typeof aliasSchema>;

const apiKeySchema = z.strictObject({
  name: nameSchema,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be the lowercase hex sha256 of the key (64 characters)"),
  /** Aliases this key may use; absent = all aliases. */
  aliases: z.array(nameSchema).optional(),
});
export type ApiKeyConfig = z.infer<typeof apiKeySchema>;

/** The shape of the file; parseRouterConfig adds the references between its sections. */
const routerConfigSchema = z.strictObject({
  /** Lets editors find the JSON Schema (router/config.schema.json); ignored by the router. */
  $schema: z.string().optional(),
  listen: z
    .strictObject({
      host: z.string().min(1).default("127.0.0.1"),
      port: z.number().int().min(0).max(65535).default(4000),
    })
    .prefault({}),
  backends: z.record(nameSchema, backendSchema),
  aliases: z.record(nameSchema, aliasSchema),
  apiKeys: z.array(apiKeySchema).default([]),
  /** Claude Code asks for claude-* names (haiku for background work); map families to aliases. */
  claudeModels: z
    .strictObject({
      haiku: nameSchema.optional(),
      sonnet: nameSchema.optional(),
      opus: nameSchema.optional(),
      default: nameSchema.optional(),
    })
    .optional(),
  health: z
    .strictObject({
      intervalMs: positiveMs.default(5_000),
      timeoutMs: positiveMs.default(2_000),
      /** While a backend is down the interval doubles up to this. */
      maxIntervalMs: positiveMs.default(60_000),
    })
    .prefault({}),
  ejection: z
    .strictObject({
      consecutiveFailures: z.number().int().positive().default(3),
      baseMs: positiveMs.default(30_000),
      maxMs: positiveMs.default(300_000),
      jitter: z.number().min(0).max(0.5).default(0.1),
      /** How long a busy (429 / queue full) backend is deprioritized when it sends no Retry-After. */
      busyMs: positiveMs.default(2_000),
    })
    .prefault({}),
  timeouts: z
    .strictObject({
      connectMs: positiveMs.default(5_000),
      /** Default time to first byte; per alias via firstByteTimeoutMs. */
      firstByteMs: positiveMs.default(300_000),
      /** Longest silence between two chunks of a response body. */
      idleMs: positiveMs.default(120_000),
      /** Whole-request cap; 0 = none (long generations are normal). */
      totalMs: nonNegativeMs.default(0),
      /** Interval of SSE keep-alive comments while a stream waits for its first byte. */
      keepAliveMs: positiveMs.default(10_000),
      /** A client's request head must arrive within this (server.headersTimeout). */
      requestHeadersMs: positiveMs.default(10_000),
      /** Longest silence between two chunks of a request body (and before its first); then 408. */
      requestIdleMs: positiveMs.default(10_000),
    })
    .prefault({}),
  retries: z.strictObject({ max: z.number().int().min(0).max(2).default(2) }).prefault({}),
  /** How a target is chosen (docs/router.md, "How a target is chosen"). */
  routing: z
    .strictObject({
      /** ranked: health, model warmth, free capacity, then the configured order; first: the configured order only (a baseline). */
      policy: z.enum(["ranked", "first"]).default("ranked"),
      /** Between probes, a model counts as loaded where the router sent it (and the least recently used one as unloaded beyond what the backend was seen holding). */
      trackResidency: z.boolean().default(true),
      /** A freed slot goes to a waiter whose model the backend holds before one that would make it swap. */
      batchPerModel: z.boolean().default(true),
      /** How many times a waiter may be passed over for waiters of the resident model. */
      maxBypass: z.number().int().min(0).max(64).default(4),
      /**
       * A conversation's next turn goes where its cached prefix is, unless that target is worse off (docs/router.md,
       * "Session affinity"); at most maxEntries conversations (least recently used forgotten first), each forgotten ttlMs unseen.
       */
      affinity: z
        .strictObject({
          enabled: z.boolean().default(true),
          maxEntries: z.number().int().min(1).max(1_000_000).default(10_000),
          ttlMs: positiveMs.default(30 * 60_000),
        })
        .prefault({}),
    })
    .prefault({}),
  limits: z
    .strictObject({
      /** Request body cap; long contexts with images are large. */
      maxBodyBytes: z
        .number()
        .int()
        .positive()
        .default(64 * 1024 * 1024),
      /** Bytes of request bodies held at once, across requests; beyond it 503 with Retry-After. */
      maxBufferedBytes: z
        .number()
        .int()
        .positive()
        .default(128 * 1024 * 1024),
      /** A whole (non-streamed) answer translated to another dialect is held up to this; beyond it 502. */
      maxAnswerBytes: z
        .number()
        .int()
        .positive()
        .default(64 * 1024 * 1024),
      /** Longest line of a backend's answer a translating or rewriting stream holds; beyond it the answer ends with an error. */
      maxLineBytes: z
        .number()
        .int()
        .positive()
        .default(64 * 1024 * 1024),
    })
    .refine((l) => l.maxBufferedBytes >= l.maxBodyBytes, {
      path: ["maxBufferedBytes"],
      message: "must be at least limits.maxBodyBytes, or a body of the largest allowed size could never be taken",
    })
    .prefault({}),
  /** On SIGTERM: how long in-flight requests and streams may take to finish. */
  drainMs: nonNegativeMs.default(DEFAULT_DRAIN_MS),
  logging: z
    .strictObject({
      level: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
      /** Off by default: prompts and completions never reach the log unless asked for. */
      logBodies: z.boolean().default(false),
    })
    .prefault({}),
});

/** A validated config with every default filled in. */
export type RouterConfig = z.infer<typeof routerConfigSchema>;
/** What a user (or infra/) writes: defaults may be left out. */
export type RouterConfigInput = z.input<typeof routerConfigSchema>;

export interface ConfigProblem {
  path: string;
  message: string;
}

/** Renders a zod path as `aliases.coder.targets[0].backend`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || "(root)";
}

export type ParseResult = { ok: true; config: RouterConfig } | { ok: false; problems: ConfigProblem[] };

/**
 * Validates a parsed JSON value; every problem is reported with its path, all in one pass: the
 * references between sections are checked on the raw value, so a broken part elsewhere (a misspelt
 * engine) does not hide them, and a name that is present but invalid still counts as present.
 */
export function parseRouterConfig(value: unknown): ParseResult {
  const r = routerConfigSchema.safeParse(value);
  const problems = r.success ? [] : r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  problems.push(...crossReferences(value));
  return r.success && problems.length === 0 ? { ok: true, config: r.data } : { ok: false, problems };
}

/** The references of a whole router file (a parsed JSON value of any shape). */
function crossReferences(value: unknown): ConfigProblem[] {
  if (!isObject(value)) return [];
  return referenceProblems(value).map((p) => ({ path: formatPath(p.path), message: p.message }));
}

/** JSON Schema (draft 2020-12) of the input form, for editors. */
export function routerConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(routerConfigSchema, { io: "input", unrepresentable: "any" });
}
