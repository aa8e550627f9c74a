// Client authentication: keys are stored as sha256 hex and compared in constant time.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { ApiKeyConfig } from "../config/schema.js";

export interface KeyEntry {
  name: string;
  digest: Buffer;
  /** Undefined = every alias. */
  aliases: ReadonlySet<string> | undefined;
}

export type AuthResult = { ok: true; key: KeyEntry | undefined } | { ok: false; status: 401; message: string };

export function compileKeys(keys: readonly ApiKeyConfig[]): KeyEntry[] {
  return keys.map((k) => ({
    name: k.name,
    digest: Buffer.from(k.sha256, "hex"),
    aliases: k.aliases ? new Set(k.aliases) : undefined,
  }));
}

/** The presented secret: `Authorization: Bearer <k>` or `x-api-key: <k>` (Anthropic clients use the latter). */
function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (auth !== undefined && auth.length > 7 && auth.slice(0, 7).toLowerCase() === "bearer ") {
    return auth.slice(7).trim() || undefined;
  }
  const x = headers["x-api-key"];
  if (typeof x === "string" && x.length > 0) return x.trim();
  return undefined;
}

/** With no keys configured auth is off (announced at start and on /status). */
export function authenticate(headers: IncomingHttpHeaders, keys: readonly KeyEntry[]): AuthResult {
  if (keys.length === 0) return { ok: true, key: undefined };
  const secret = presentedKey(headers);
  if (secret === undefined) return { ok: false, status: 401, message: "missing API key: send Authorization: Bearer <key> or x-api-key" };
  const digest = createHash("sha256").update(secret).digest();
  let found: KeyEntry | undefined;
  // Compare against every key so the time taken does not reveal which one matched.
  for (const k of keys) {
    if (timingSafeEqual(k.digest, digest) && found === undefined) found = k;
  }
  if (found === undefined) return { ok: false, status: 401, message: "invalid API key" };
  return { ok: true, key: found };
}

/** Scope is checked on the resolved alias, whatever face or header the request came through. */
export function mayUse(key: KeyEntry | undefined, alias: string): boolean {
  return key === undefined || key.aliases === undefined || key.aliases.has(alias);
}
