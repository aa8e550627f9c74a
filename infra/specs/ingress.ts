// Traefik on Kubernetes: which paths reach the router and which reach Open WebUI.
//
// Open WebUI's own routes (backend/open_webui/main.py and its routers) live under /api/v1/<router>/...,
// /api/models, /api/chat/completions, /api/config, /api/version, /ollama/*, /openai/*, /ws. It also
// mirrors a few inference endpoints for API users: /api/v1/models, /api/v1/chat/completions,
// /api/v1/embeddings, /api/embeddings and /api/v1/messages. Those collide with the clients' bases
// (OpenAI https://<domain>/api/v1, Anthropic https://<domain>/api, Ollama https://<domain>), and the
// router wins them: the clients are the reason this endpoint exists, and Open WebUI's browser UI uses
// its own paths (/api/models, /api/chat/completions) which stay with Open WebUI. The one collision the
// UI itself uses is /api/version; requests carrying Open WebUI's session cookie (`token`) keep going
// to Open WebUI, everything else (Ollama clients probing the server) reaches the router.
import type { StackConfig } from "../config/schema.js";
import { hostConfig } from "./hosts.js";

const p = (path: string): string => `Path(\`${path}\`)`;

/** Exact inference paths the router serves under the shared /api prefix. */
const routerExactPaths = [
  // OpenAI face at base https://<domain>/api/v1
  "/api/v1/chat/completions",
  "/api/v1/completions",
  "/api/v1/embeddings",
  "/api/v1/models",
  // Anthropic face at base https://<domain>/api: Anthropic's SDK appends /v1/messages, the Vercel AI
  // SDK's Anthropic provider /messages
  "/api/v1/messages",
  "/api/v1/messages/count_tokens",
  "/api/messages",
  "/api/messages/count_tokens",
  // Ollama native face
  "/api/chat",
  "/api/generate",
  "/api/tags",
  "/api/show",
  "/api/ps",
  "/api/embed",
  "/api/embeddings",
] as const;

const routerPriority = 100;
const versionPriority = 90;
const openWebUIPriority = 1;

interface RouteRule {
  match: string;
  priority: number;
  target: "router" | "open-webui";
}

function ingressRules(domain: string): RouteRule[] {
  const host = `Host(\`${domain}\`)`;
  return [
    {
      match: `${host} && (${[...routerExactPaths.map(p), "PathPrefix(`/v1/`)"].join(" || ")})`,
      priority: routerPriority,
      target: "router",
    },
    {
      match: `${host} && ${p("/api/version")} && !HeaderRegexp(\`Cookie\`, \`(^|;\\s*)token=\`)`,
      priority: versionPriority,
      target: "router",
    },
    { match: host, priority: openWebUIPriority, target: "open-webui" },
  ];
}

interface ExternalService {
  name: string;
  externalName: string;
  port: number;
}

export interface IngressSpec {
  namespace: string;
  services: ExternalService[];
  /** Present when more than one router runs: Traefik balances across them. */
  routerBalancer?: { name: string; spec: Record<string, unknown> };
  /** A Traefik Middleware on the routes to the routers: a failed connection is tried again on the next router. */
  routerRetry: { name: string; spec: Record<string, unknown> };
  ingressRoute: { name: string; spec: Record<string, unknown> };
}

/**
 * A stopped router must not fail requests. Traefik v3.6 builds a CRD TraefikService of kind weighted
 * without a health check of its own, so its round robin never learns a child's state: a `healthCheck` on
 * a child (allowed only for ExternalName services) merely empties that child's load balancer, which then
 * answers 503 "no available server" to every other request, and `retry` does not retry a 503 (nor would
 * `passiveHealthCheck`'s emptied child be skipped). Instead each router stays a server, and the `retry`
 * middleware repeats a request whose connection failed before its headers were sent (a refused connection
 * to a stopped router) on the balancer's next pick; once request headers reached a router nothing is
 * replayed, so a started stream is never sent twice. Twice the routers' count of attempts leaves room for
 * concurrent requests taking the next pick. Held by test/infra/specs/ingress.test.ts and e2e:lab check 3.
 */
function routerRetry(routers: number): { name: string; spec: Record<string, unknown> } {
  return { name: "router-retry", spec: { retry: { attempts: 2 * routers, initialInterval: "100ms" } } };
}

export function ingressSpec(cfg: StackConfig): IngressSpec | undefined {
  const ing = cfg.ingress;
  const owui = cfg.openWebUI;
  if (!ing.enabled || !ing.domain || !owui) return undefined;
  const address = (h: string): string => hostConfig(cfg, h)?.address ?? h;
  const routerServices = cfg.router.hosts.map((h) => ({ name: `router-${h}`, externalName: address(h), port: cfg.router.port }));
  const services = [{ name: "open-webui", externalName: address(owui.host), port: owui.port }, ...routerServices];
  const routerRefs = routerServices.map((s) => ({ kind: "Service", name: s.name, namespace: ing.namespace, port: s.port }));
  const balanced = routerServices.length > 1;
  const routerBalancer = balanced ? { name: "router", spec: { weighted: { services: routerRefs.map((r) => ({ ...r, weight: 1 })) } } } : undefined;
  const routerTarget = balanced ? [{ kind: "TraefikService", name: "router", namespace: ing.namespace }] : routerRefs;
  const retry = routerRetry(routerServices.length);
  const routes = ingressRules(ing.domain).map((r) => ({
    kind: "Rule",
    match: r.match,
    priority: r.priority,
    ...(r.target === "router"
      ? { middlewares: [{ name: retry.name, namespace: ing.namespace }], services: routerTarget }
      : { services: [{ kind: "Service", name: "open-webui", namespace: ing.namespace, port: owui.port }] }),
  }));
  return {
    namespace: ing.namespace,
    services,
    ...(routerBalancer ? { routerBalancer } : {}),
    routerRetry: retry,
    ingressRoute: {
      name: "aistack",
      spec: {
        entryPoints: [ing.entryPoint],
        routes,
        ...(ing.certResolver ? { tls: { certResolver: ing.certResolver } } : {}),
      },
    },
  };
}
