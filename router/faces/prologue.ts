// What every face begins with: its routes under the API prefixes clients configure (`/v1` and, for a
// base URL of .../api/v1, `/api/v1`; a face may add its own), and the first checks of a request body — a JSON object whose
// `model` is a non-empty string — with the fields that would point the router elsewhere dropped.
import { invalidModel, invalidRequest, missingModel, type RouterError } from "../errors.js";
import type { FaceRoute } from "./types.js";

const PREFIXES = ["/v1", "/api/v1"] as const;

/** Each route (a path after the prefix) under every prefix, then under the face's `extra` ones, in that order. */
export function underPrefixes(routes: readonly FaceRoute[], extra: readonly string[] = []): FaceRoute[] {
  return [...PREFIXES, ...extra].flatMap((prefix) => routes.map((r) => ({ ...r, path: prefix + r.path })));
}

/** How a face words a bad `model`: `invalid` always, `missing` when it tells an absent one apart. */
export interface ModelMessages {
  invalid: string;
  missing?: string;
}

/** The body as an object with its `model`, or the error in the face's wording. */
export function bodyWithModel(body: unknown, say: ModelMessages): { model: string; raw: Record<string, unknown> } | RouterError {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return invalidRequest("request body must be a JSON object");
  const raw = body as Record<string, unknown>;
  if (raw.model === undefined && say.missing !== undefined) return missingModel(say.missing);
  if (typeof raw.model !== "string" || raw.model.length === 0) return invalidModel(say.invalid);
  return { model: raw.model, raw };
}

/** Never let a client point the router somewhere else (litellm CVE-2024-6587): such fields are dropped. */
export function dropRedirects(body: Record<string, unknown>): Record<string, unknown> {
  delete body.api_base;
  delete body.base_url;
  return body;
}
