// What every face begins with: its routes under the API prefixes clients configure (`/v1` and, for a
// base URL of .../api/v1, `/api/v1`; a face may add its own), and the first checks of a request body — a JSON object whose
// `model` is a non-empty string — with the fields that would point the router elsewhere dropped; then
// the body checked by its route's schema, carried as that schema's type (`ParsedRequest<Kind, Body>`).
import type { z } from "zod";
import { invalidModel, invalidRequest, missingModel, type RouterError } from "../errors.js";
import { requestIssuesMessage } from "./request-issues.js";
import { isJsonObject, type FaceRoute, type JsonObject, type ParsedRequest } from "./types.js";

const PREFIXES = ["/v1", "/api/v1"] as const;

/** Never let a client point the router somewhere else (litellm CVE-2024-6587): such fields are dropped. */
const REDIRECTS: readonly string[] = ["api_base", "base_url"];

/** Each route (a path after the prefix) under every prefix, then under the face's `extra` ones, in that order. */
export function underPrefixes(routes: readonly FaceRoute[], extra: readonly string[] = []): FaceRoute[] {
  return [...PREFIXES, ...extra].flatMap((prefix) => routes.map((r) => ({ ...r, path: prefix + r.path })));
}

/** How a face words a bad `model`: `invalid` always, `missing` when it tells an absent one apart. */
export interface ModelMessages {
  invalid: string;
  missing?: string;
}

/**
 * The body as an object with its `model`, or the error in the face's wording. `raw` is a copy without
 * the redirect fields (the client's parsed JSON is left as it came).
 */
export function bodyWithModel(body: unknown, say: ModelMessages): { model: string; raw: JsonObject } | RouterError {
  if (!isJsonObject(body)) return invalidRequest("request body must be a JSON object");
  const raw: JsonObject = Object.fromEntries(Object.entries(body).filter(([k]) => !REDIRECTS.includes(k)));
  if (raw.model === undefined && say.missing !== undefined) return missingModel(say.missing);
  if (typeof raw.model !== "string" || raw.model.length === 0) return invalidModel(say.invalid);
  return { model: raw.model, raw };
}

/** The request of one route kind: its body checked by `schema`, or every problem in one message. */
export function withBody<Kind extends string, Body>(
  route: FaceRoute,
  kind: Kind,
  clientModel: string,
  raw: JsonObject,
  schema: z.ZodType<Body>,
  stream: (body: Body) => boolean,
): ParsedRequest<Kind, Body> | RouterError {
  const r = schema.safeParse(raw);
  if (!r.success) return invalidRequest(requestIssuesMessage(r.error));
  return { route, kind, clientModel, stream: stream(r.data), body: r.data };
}
