// What forward() is given: one client request once its alias is known (`Routed`), what lives as long
// as the router (`Services`), and time and chance (`Clock`, injected so tests can fix them).
import type { AliasConfig, RouterConfig } from "../config/schema.js";
import type { BackendRegistry } from "../backends/registry.js";
import type { Cancel } from "../cancel.js";
import type { Face, FaceRequest } from "../faces/types.js";
import type { Reply } from "../http/reply.js";
import type { RouterMetrics } from "../telemetry/metrics.js";
import type { Affinity } from "../routing/affinity.js";

/** What lives as long as the router: server.ts builds it once. */
export interface Services {
  registry: BackendRegistry;
  metrics: RouterMetrics;
  /** Which target served each conversation last, and what answers taught about each backend. */
  affinity: Affinity;
}

/** Time and chance: Date.now and Math.random unless a test fixes them. */
export interface Clock {
  now(): number;
  random(): number;
}

/** One client request whose model name resolved to an alias (request.ts builds it). */
export interface Routed {
  id: string;
  face: Face;
  request: FaceRequest;
  alias: { name: string; config: AliasConfig };
  /** The table's config as it was when the request arrived. */
  config: RouterConfig;
  /** The only way to the client's response. */
  reply: Reply;
  /** Aborted when the client goes away, or by the router (total time cap, end of a drain) with its reason. */
  cancel: Cancel;
  /** performance.now() when the request was accepted. */
  startedAt: number;
  /** The conversation id the client sent in a header (routing/affinity-key.ts), if any. */
  session?: string;
}
