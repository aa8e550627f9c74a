// The route table: which face serves a method and path, the `Allow` header of a path, and the face
// that answers an error on a path no face serves.
import { AllowedMethods } from "./allow.js";
import type { Face, FaceRoute } from "../faces/types.js";

export interface Hit {
  face: Face;
  route: FaceRoute;
  /** The rest of the path on a route with `param`. */
  param?: string;
}

/** The path of a request URL, without its query. */
export function pathOf(url: string | undefined): string {
  const u = url ?? "/";
  const q = u.indexOf("?");
  return q >= 0 ? u.slice(0, q) : u;
}

export class Routes {
  private readonly byKey = new Map<string, Hit>();
  /** Routes whose path is a prefix followed by a parameter. */
  private readonly withParam: Hit[] = [];
  readonly allowed = new AllowedMethods();

  /** `faces` in order: the first is the fallback for errors on paths that look like no face's. */
  constructor(
    private readonly faces: readonly [Face, ...Face[]],
    /** Paths answered outside the faces (GET and HEAD). */
    otherGets: readonly string[],
  ) {
    for (const face of faces) for (const route of face.routes) if (route.param) this.withParam.push({ face, route });
    for (const face of faces) for (const route of face.routes) if (!route.param) this.byKey.set(`${route.method} ${route.path}`, { face, route });
    for (const { route } of this.byKey.values()) this.allowed.add(route.method, route.path);
    for (const p of otherGets) this.allowed.add("GET", p);
  }

  /** The face route for `method` and `path`; HEAD is served wherever GET is. */
  find(method: string | undefined, path: string): Hit | undefined {
    const m = method === "HEAD" ? "GET" : (method ?? "GET");
    const hit = this.byKey.get(`${m} ${path}`);
    if (hit) return hit;
    for (const h of this.withParam) {
      if (h.route.method !== m || !path.startsWith(h.route.path) || path.length === h.route.path.length) continue;
      const param = decodePath(path.slice(h.route.path.length));
      if (param !== undefined) return { ...h, param };
    }
    return undefined;
  }

  /**
   * The metrics' name for where a request went: the route (`/v1/models/{model}` for one with a
   * parameter), a path the router serves with another method, or `other` — never the client's own path.
   */
  label(path: string, hit: Hit | undefined): string {
    if (hit) return hit.route.param ? `${hit.route.path}{${hit.route.kind}}` : hit.route.path;
    return this.allowed.header(path) !== undefined ? path : "other";
  }

  /**
   * The face whose paths share the longest prefix with `path`, for errors on unknown paths. A prefix
   * several faces serve belongs to the one with the most routes under it (`/api/` is Ollama's, though
   * `/api/messages` is Anthropic's; test/router/faces/errors.test.ts).
   */
  faceFor(path: string): Face {
    let best: Face = this.faces[0];
    let bestLen = 0;
    let bestCount = 0;
    const counts = new Map<string, number>();
    for (const { face, route } of this.byKey.values()) {
      // A known path with the wrong method (GET /v1/messages) belongs to the face that serves it.
      if (route.path === path) return face;
      const prefix = route.path.slice(0, route.path.lastIndexOf("/") + 1);
      if (!path.startsWith(prefix) || prefix.length < bestLen) continue;
      const key = `${face.name} ${prefix}`;
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      if (prefix.length > bestLen || count > bestCount) {
        best = face;
        bestLen = prefix.length;
        bestCount = count;
      }
    }
    return best;
  }
}

function decodePath(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
