// How each command-line agent is run headless against the router: its settings (written into a home
// of its own, so nothing reaches the user's config), its command line, and the switches that keep it
// off the network (telemetry, update checks, remote model lists, project config). These are the
// recipes docs/clients.md gives, as the suite runs them.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Installed } from "../../../scripts/clients/install.js";

export type Face = "openai" | "anthropic";

export interface RunSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
}

export interface DriveInput {
  /** The router's root URL (what https://<domain> is for a user). */
  router: string;
  key: string;
  alias: string;
  face: Face;
  prompt: string;
  /** The agent's working directory (the project). */
  cwd: string;
  /** A directory of the run's own: HOME and the XDG directories live under it. */
  home: string;
  installed: Installed;
}

/** The base URL each SDK family wants: OpenAI-compatible `<root>/api/v1`; Anthropic `<root>/api` for both Anthropic's SDK and the Vercel AI SDK's provider. */
const baseFor = (router: string, face: Face): string => `${router}${face === "openai" ? "/api/v1" : "/api"}`;

/** HOME and XDG dirs inside the run's directory; nothing of the caller's environment (keys, proxies) passes. */
function isolated(home: string): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    XDG_CACHE_HOME: join(home, ".cache"),
    XDG_STATE_HOME: join(home, ".local", "state"),
    TMPDIR: join(home, "tmp"),
    LANG: "C.UTF-8",
    TERM: "dumb",
    NO_COLOR: "1",
    DO_NOT_TRACK: "1",
  };
  for (const d of [env.XDG_CONFIG_HOME, env.XDG_DATA_HOME, env.XDG_CACHE_HOME, env.XDG_STATE_HOME, env.TMPDIR]) mkdirSync(d as string, { recursive: true });
  return env;
}

function writeJson(file: string, value: unknown): string {
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

/** Cline CLI: its provider settings file (what `cline auth` writes; the Anthropic provider's base URL only this way). */
function cline(i: DriveInput): RunSpec {
  const data = join(i.home, "cline-data");
  const provider = i.face === "openai" ? "openai-compatible" : "anthropic";
  writeJson(join(data, "settings", "providers.json"), {
    version: 1,
    lastUsedProvider: provider,
    modes: {},
    // Without `updatedAt` Cline ignores the entry and falls back to its own cloud provider.
    providers: {
      [provider]: {
        settings: { provider, apiKey: i.key, model: i.alias, baseUrl: baseFor(i.router, i.face) },
        updatedAt: new Date().toISOString(),
        tokenSource: "manual",
      },
    },
  });
  writeJson(join(data, "settings", "global-settings.json"), { telemetryOptOut: true, autoUpdateEnabled: false });
  return { command: i.installed.bin, args: ["--json", "--data-dir", data, "-c", i.cwd, i.prompt], env: { ...isolated(i.home), CLINE_NO_AUTO_UPDATE: "1" } };
}

/** The provider block OpenCode and Kilo Code (an OpenCode fork) share: the AI SDK package per face. */
function aiSdkConfig(i: DriveInput, schema: string): Record<string, unknown> {
  const npm = i.face === "openai" ? "@ai-sdk/openai-compatible" : "@ai-sdk/anthropic";
  return {
    $schema: schema,
    provider: {
      aistack: {
        npm,
        name: "aistack",
        options: { baseURL: baseFor(i.router, i.face), apiKey: i.key },
        models: { [i.alias]: { name: i.alias, tool_call: true } },
      },
    },
    // Only this provider: no model lists fetched for the built-in ones.
    enabled_providers: ["aistack"],
    model: `aistack/${i.alias}`,
    small_model: `aistack/${i.alias}`,
    autoupdate: false,
    share: "disabled",
  };
}

/** `run --format json` with the config inline and the switches both name alike (`<PREFIX>_DISABLE_...`) on. */
function aiSdkRun(i: DriveInput, prefix: "KILO" | "OPENCODE", schema: string, extra: Record<string, string>): RunSpec {
  const off = ["AUTOUPDATE", "MODELS_FETCH", "LSP_DOWNLOAD", "DEFAULT_PLUGINS", "PROJECT_CONFIG"].map((f): [string, string] => [`${prefix}_DISABLE_${f}`, "1"]);
  const env = { ...isolated(i.home), [`${prefix}_CONFIG_CONTENT`]: JSON.stringify(aiSdkConfig(i, schema)), ...Object.fromEntries(off), ...extra };
  return { command: i.installed.bin, args: ["run", "--format", "json", i.prompt], env };
}

const kilo = (i: DriveInput): RunSpec =>
  aiSdkRun(i, "KILO", "https://app.kilo.ai/config.json", {
    KILO_DISABLE_SHARE: "1",
    KILO_DISABLE_SESSION_INGEST: "1",
    KILO_DISABLE_PRESENCE: "1",
    KILO_TELEMETRY_LEVEL: "off",
  });

const opencode = (i: DriveInput): RunSpec => aiSdkRun(i, "OPENCODE", "https://opencode.ai/config.json", {});

/** Claude Code: Anthropic's SDK, so the base is <root>/api and it calls /api/v1/messages. */
function claude(i: DriveInput): RunSpec {
  const env = {
    ...isolated(i.home),
    ANTHROPIC_BASE_URL: baseFor(i.router, "anthropic"),
    ANTHROPIC_AUTH_TOKEN: i.key,
    ANTHROPIC_MODEL: i.alias,
    ANTHROPIC_DEFAULT_HAIKU_MODEL: i.alias,
    DISABLE_TELEMETRY: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_ERROR_REPORTING: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  };
  return { command: i.installed.bin, args: ["-p", i.prompt, "--allowedTools", "Read"], env };
}

/** OpenClaw: `agent exec` against a pinned config file; it needs Node >= 24.16, run from the cache. */
function openclaw(i: DriveInput): RunSpec {
  const config = writeJson(join(i.home, "openclaw.json"), {
    models: {
      mode: "merge",
      providers: {
        aistack: {
          baseUrl: baseFor(i.router, i.face),
          apiKey: i.key,
          api: i.face === "openai" ? "openai-completions" : "anthropic-messages",
          models: [{ id: i.alias, name: i.alias, reasoning: false, input: ["text"], contextWindow: 32768, maxTokens: 4096 }],
        },
      },
    },
    agents: { defaults: { model: { primary: `aistack/${i.alias}` } } },
    update: { checkOnStart: false },
    telemetry: { enabled: false },
  });
  const node = i.installed.node ?? "node";
  return {
    command: node,
    args: [i.installed.bin, "agent", "exec", "--config", config, "--cwd", i.cwd, "--model", `aistack/${i.alias}`, i.prompt],
    env: { ...isolated(i.home), OPENCLAW_NO_AUTO_UPDATE: "1" },
  };
}

export const DRIVERS = {
  cline: { faces: ["openai", "anthropic"], run: cline },
  kilo: { faces: ["openai", "anthropic"], run: kilo },
  opencode: { faces: ["openai", "anthropic"], run: opencode },
  claude: { faces: ["anthropic"], run: claude },
  openclaw: { faces: ["openai", "anthropic"], run: openclaw },
} as const satisfies Record<string, { faces: readonly Face[]; run: (i: DriveInput) => RunSpec }>;
