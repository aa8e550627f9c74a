// Open WebUI. Environment names are those of backend/open_webui/config.py and env.py in
// open-webui/open-webui (ENABLE_API_KEYS, ENABLE_SIGNUP, WEBUI_URL, ENABLE_CUSTOM_MODEL_FALLBACK,
// OPENAI_API_BASE_URLS/KEYS and OLLAMA_BASE_URLS separated by ';', AUDIO_TTS_*). Many are
// PersistentConfig: they seed the first start; later edits in the admin UI win.
import type { StackConfig } from "../config/schema.js";
import { extraHostsFor, reachAddress, sortedRecord, hostConfig } from "./hosts.js";
import type { ContainerSpec } from "./types.js";

const containerPort = 8080;
/** Container and volume names, fixed: one Open WebUI per stack. */
export const openWebUIContainer = "open-webui";
export const openWebUIVolume = "open-webui-data";
/** The router API key Open WebUI presents, when the router has keys at all. */
const openWebUIKeyName = "open-webui";

const flag = (b: boolean): string => (b ? "True" : "False");

/** The router Open WebUI talks to: the one on its own host if any, else the first. */
function openWebUIRouterHost(cfg: StackConfig): string {
  const own = cfg.openWebUI?.host;
  return own !== undefined && cfg.router.hosts.includes(own) ? own : (cfg.router.hosts[0] as string);
}

export function openWebUIUrl(cfg: StackConfig): string {
  const o = cfg.openWebUI;
  if (o?.settings.webuiUrl) return o.settings.webuiUrl;
  if (cfg.ingress.enabled && cfg.ingress.domain) return `https://${cfg.ingress.domain}`;
  const host = o ? hostConfig(cfg, o.host) : undefined;
  const addr = host?.kind === "local" && host.address === "127.0.0.1" ? "localhost" : host?.address;
  return `http://${addr ?? "localhost"}:${o?.port ?? containerPort}`;
}

function openWebUIEnv(cfg: StackConfig): { env: Record<string, string>; secretEnv: Record<string, string> } {
  const o = cfg.openWebUI;
  if (!o) return { env: {}, secretEnv: {} };
  const from = o.host;
  const routerUrl = `http://${reachAddress(cfg, openWebUIRouterHost(cfg), from)}:${cfg.router.port}/v1`;
  const ollamaUrls = Object.values(cfg.backends)
    .filter((b) => b.engine === "ollama")
    .map((b) => `http://${reachAddress(cfg, b.hosts[0] as string, from)}:${b.port}`);
  const env: Record<string, string> = {
    ENABLE_API_KEYS: flag(o.settings.enableApiKeys),
    // Releases before the rename read the singular name.
    ENABLE_API_KEY: flag(o.settings.enableApiKeys),
    ENABLE_SIGNUP: flag(o.settings.enableSignup),
    ENABLE_CUSTOM_MODEL_FALLBACK: flag(o.settings.customModelFallback),
    WEBUI_URL: openWebUIUrl(cfg),
    ENABLE_OPENAI_API: "True",
    OPENAI_API_BASE_URLS: routerUrl,
    ENABLE_OLLAMA_API: flag(ollamaUrls.length > 0),
    ...(ollamaUrls.length ? { OLLAMA_BASE_URLS: ollamaUrls.join(";") } : {}),
  };
  if (cfg.kokoro) {
    Object.assign(env, {
      AUDIO_TTS_ENGINE: "openai",
      AUDIO_TTS_OPENAI_API_BASE_URL: `http://${reachAddress(cfg, cfg.kokoro.host, from)}:${cfg.kokoro.port}/v1`,
      // Kokoro-FastAPI accepts any key; Open WebUI insists on one.
      AUDIO_TTS_OPENAI_API_KEY: "not-needed",
      AUDIO_TTS_MODEL: "kokoro",
      AUDIO_TTS_VOICE: o.settings.ttsVoice,
    });
  }
  Object.assign(env, o.env);
  const secretEnv: Record<string, string> = {};
  const routerKey = cfg.secrets.apiKeys[openWebUIKeyName];
  // Open WebUI sends this to the router; with router auth off any non-empty value does.
  secretEnv.OPENAI_API_KEYS = routerKey ?? "none";
  if (cfg.secrets.webuiSecretKey) secretEnv.WEBUI_SECRET_KEY = cfg.secrets.webuiSecretKey;
  return { env: sortedRecord(env), secretEnv: sortedRecord(secretEnv) };
}

export function openWebUISpecs(cfg: StackConfig): ContainerSpec[] {
  const o = cfg.openWebUI;
  const host = o ? hostConfig(cfg, o.host) : undefined;
  if (!o || !host) return [];
  const { env, secretEnv } = openWebUIEnv(cfg);
  return [
    {
      name: openWebUIContainer,
      kind: "openWebUI",
      owner: "open-webui",
      host: o.host,
      image: o.image,
      env,
      secretEnv,
      ports: [{ internal: containerPort, external: o.port }],
      volumes: [{ volume: openWebUIVolume, containerPath: "/app/backend/data" }],
      binds: [],
      extraHosts: extraHostsFor(host),
      healthcheck: {
        tests: ["CMD", "curl", "-fsS", `http://127.0.0.1:${containerPort}/health`],
        interval: "30s",
        timeout: "10s",
        startPeriod: "3m0s",
        retries: 5,
      },
      restart: "unless-stopped",
    },
  ];
}
