// logging.logBodies: an explicit debug capture of request bodies, off by default. When on, each
// request body is logged once, as the client sent it (parsed), with key-like members and
// credential-looking strings redacted; the router says so loudly at start and whenever a reload turns
// it on, because prompts then land in the log. Answers, and what is sent to backends, are never
// logged: the capture is for seeing what a client sends.
import type { RouterConfig } from "../config/schema.js";
import type { Logger } from "./log.js";

/** Longest body written whole; a longer one is written cut to this many characters. */
const BODY_LOG_CAP = 64 * 1024;
const REDACTED = "[redacted]";

// api_key, x-api-key, client_secret, access_token, password, Authorization... but not max_tokens.
const SECRET_MEMBER = /^(?:.*[-_])?(?:api[-_]?key|apikey|key|secret|password|passwd|token|authorization|auth|credentials?|cookie|bearer)$/i;
// apiKey, accessToken, clientSecret (camelCase; maxTokens is a count).
const SECRET_MEMBER_CAMEL = /[a-z0-9](?:Key|Secret|Password|Token)$/;
// Credentials inside text: bearer tokens, OpenAI/Anthropic-style sk- keys, GitHub and Hugging Face tokens.
const SECRET_TEXT: readonly [RegExp, string][] = [
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/g, `Bearer ${REDACTED}`],
  [/\bsk-[A-Za-z0-9_-]{16,}/g, `sk-${REDACTED}`],
  [/\b(?:ghp|gho|ghu|ghs|github_pat)_[A-Za-z0-9_]{16,}/g, REDACTED],
  [/\bhf_[A-Za-z0-9]{16,}/g, REDACTED],
];

function redactText(s: string): string {
  let out = s;
  for (const [pattern, replacement] of SECRET_TEXT) out = out.replace(pattern, replacement);
  return out;
}

/** A copy of a parsed JSON value with secrets replaced (bodies reach here within the nesting limit). */
function redactSecrets(value: unknown): unknown {
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const redacted = SECRET_MEMBER.test(k) || SECRET_MEMBER_CAMEL.test(k) ? REDACTED : redactSecrets(v);
    // An own "__proto__" member (JSON.parse makes one) must stay a member, not become the prototype.
    Object.defineProperty(out, k, { value: redacted, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export interface BodyLogContext {
  id: string;
  face: string;
  path: string;
  key: string | undefined;
}

/** Writes one "request body" line (level info) for a parsed request body. */
export function logBody(logger: Logger, ctx: BodyLogContext, body: unknown): void {
  if (body === undefined || !logger.enabled("info")) return;
  const redacted = redactSecrets(body);
  const text = JSON.stringify(redacted);
  const fields = text.length <= BODY_LOG_CAP ? { body: redacted } : { bodyTruncated: text.slice(0, BODY_LOG_CAP), bodyChars: text.length };
  logger.event("info", "request body", { id: ctx.id, face: ctx.face, path: ctx.path, ...(ctx.key !== undefined ? { key: ctx.key } : {}), ...fields });
}

/** The loud notice, at start and when a reload turns the capture on (`wasOn`: it was on already). */
export function announceBodyLogging(logger: Logger, logging: RouterConfig["logging"], wasOn = false): void {
  if (!logging.logBodies || wasOn) return;
  logger.event(
    "warn",
    "logging.logBodies is ON: every request body, prompts included, is written to this log (key-like fields and credential-looking text redacted); turn it off when done debugging",
  );
  if (!logger.enabled("info")) logger.event("warn", `logging.level ${logging.level} hides the request body lines (they are written at level info)`);
}
