// Runs a Pulumi program under the SDK's mocks and records what it declares: no CLI, no engine, no
// credentials, no network. Reusable by any test that needs the resources of a stack (see docs/plan.md).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { cliConfig, runUnderMocks } from "./mocks.js";
import { PlanError, readProjectFile, stackFilePath, stackValues, type StackValues } from "./stackFile.js";
import type { AliasTarget, Capture, CapturedHost, CapturedResource, Json } from "./types.js";

/** The home directory the program sees: `~` keeps local paths as the stack file writes them. */
export const planHome = "~";

// Pulumi's wire marker for a secret value (sdk/nodejs/runtime/rpc.ts: specialSigKey / specialSecretSig).
const secretSig = "4dabf18193072939515e22adb298388d";
const secretSigValue = "1b47061264138c4ac30d75fd1eb44270";

function isWireSecret(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[secretSig] === secretSigValue;
}

function secretDigest(value: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(value ?? null))
    .digest("hex")
    .slice(0, 16);
}

/** Environment names whose values are secret whatever they hold (ENABLE_* switches are not). */
export const secretEnvName = /^(?!ENABLE_).*(KEYS?|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|KUBECONFIG)$/i;

const envEntry = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

/**
 * One secret entry makes Pulumi mark a whole env list secret. The list is what a reviewer wants to
 * read, so it is kept entry by entry, and an entry is masked when its name says secret or its value
 * carries one of the secrets this render filled in (every secret of a stack comes from there).
 */
function maskEnvList(list: string[], secrets: readonly string[]): Json {
  return list.map((e) => {
    const m = envEntry.exec(e);
    const name = m?.[1] ?? "";
    const value = m?.[2] ?? e;
    const secret = !m || secretEnvName.test(name) || secrets.some((s) => value.includes(s));
    return secret ? `${name}={{secret:${secretDigest(value)}}}` : e;
  });
}

/** Inputs as JSON, each secret replaced by a digest of its value (never the value itself). */
function maskSecrets(v: unknown, secrets: readonly string[] = []): Json {
  if (isWireSecret(v)) {
    const plain = unwrap(v.value);
    if (Array.isArray(plain) && plain.length > 0 && plain.every((e) => typeof e === "string" && envEntry.test(e)))
      return maskEnvList(plain as string[], secrets);
    return { $secret: secretDigest(plain) };
  }
  if (Array.isArray(v)) return v.map((x) => maskSecrets(x, secrets));
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k, maskSecrets(x, secrets)]),
    );
  }
  if (v === undefined) return null;
  return v as Json;
}

/** The plain value with every secret marker removed. */
export function unwrap(v: unknown): unknown {
  if (isWireSecret(v)) return unwrap(v.value);
  if (Array.isArray(v)) return v.map(unwrap);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]));
  return v;
}

/** A provider reference is `<urn>::<id>`; the URN's last segment is the provider's name. */
function providerName(ref: string): string {
  const urn = ref.slice(0, ref.lastIndexOf("::"));
  return urn.slice(urn.lastIndexOf("::") + 2);
}

function addressOf(inputs: Record<string, unknown>): { address?: string } {
  const host = (unwrap(inputs.connection) as { host?: unknown } | undefined)?.host;
  return typeof host === "string" ? { address: host } : {};
}

async function resolve(value: unknown, secrets: readonly string[]): Promise<Json> {
  const out: pulumi.Output<unknown> = pulumi.output(value);
  const [plain, secret] = await Promise.all([new Promise<unknown>((res) => out.apply((x) => res(x))), pulumi.isSecret(out)]);
  return secret ? { $secret: secretDigest(plain) } : maskSecrets(plain, secrets);
}

function hostsOf(values: Record<string, Json>): CapturedHost[] {
  const hosts = values.hosts;
  if (typeof hosts !== "object" || hosts === null || Array.isArray(hosts)) return [];
  return Object.entries(hosts)
    .map(([name, h]): CapturedHost => {
      const o = (typeof h === "object" && h !== null && !Array.isArray(h) ? h : {}) as Record<string, Json>;
      const kind = o.kind === "local" ? "local" : "ssh";
      return {
        name,
        kind,
        ...(typeof o.address === "string" ? { address: o.address } : {}),
        ...(kind === "local" ? { socket: typeof o.socket === "string" ? o.socket : "unix:///var/run/docker.sock" } : {}),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function targetsOf(alias: unknown): AliasTarget[] {
  const targets = (alias as { targets?: unknown } | null)?.targets;
  if (!Array.isArray(targets)) return [];
  return targets.map((t) => {
    const o = t as { backend?: unknown; model?: unknown };
    return { backend: String(o.backend), model: String(o.model) };
  });
}

function aliasTable(aliases: unknown): Record<string, AliasTarget[]> {
  if (typeof aliases !== "object" || aliases === null) return {};
  return Object.fromEntries(Object.entries(aliases).map(([name, a]) => [name, targetsOf(a)]));
}

/**
 * The alias table per router host: from the program's `routerConfigs` output (router config per host;
 * `aliases` in programs older than that name, so a base ref from before it still reads) when it has one,
 * else from the stack config (`router.aliases` on each `router.hosts`).
 */
function aliasesOf(outputs: Record<string, Json>, values: Record<string, Json>): Record<string, Record<string, AliasTarget[]>> {
  const out = outputs.routerConfigs ?? outputs.aliases;
  if (typeof out === "object" && out !== null && !Array.isArray(out) && Object.keys(out).length > 0) {
    return Object.fromEntries(Object.entries(out).map(([host, cfg]) => [host, aliasTable((cfg as { aliases?: unknown } | null)?.aliases)]));
  }
  const router = values.router as { hosts?: unknown; aliases?: unknown } | undefined;
  const hosts = Array.isArray(router?.hosts) ? router.hosts.map(String) : ["router"];
  return Object.fromEntries(hosts.map((h) => [h, aliasTable(router?.aliases)]));
}

export interface ProgramRun {
  project: string;
  stack: string;
  config: StackValues;
  /** Runs the program; returns its stack outputs (an entry module's exports, or buildStack's result). */
  program: () => unknown;
  /** The project root: absolute paths under it (an image's build context) are recorded relative to it. */
  root?: string;
}

/** Paths under `root` as `.` or `./<rest>`, so a capture reads the same wherever the project lives. */
function relativeTo(v: Json, root: string | undefined): Json {
  if (root === undefined) return v;
  const base = root.replace(/\/+$/, "");
  if (typeof v === "string") return v === base ? "." : v.startsWith(`${base}/`) ? `./${v.slice(base.length + 1)}` : v;
  if (Array.isArray(v)) return v.map((x) => relativeTo(x, root));
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, relativeTo(x, root)]));
  return v;
}

/** Runs a program under mocks with the given config and records everything it declares. */
export async function captureProgram(run: ProgramRun): Promise<Capture> {
  const resources: CapturedResource[] = [];
  const exported = await runUnderMocks({
    project: run.project,
    stack: run.stack,
    config: cliConfig(run.config.values, run.project),
    secretKeys: run.config.secretKeys.map((k) => `${run.project}:${k}`),
    program: run.program,
    record(r) {
      // Components own nothing a provider acts on; their children are what changes.
      if (!r.custom) return;
      resources.push({
        type: r.type,
        name: r.name,
        ...(r.provider ? { provider: providerName(r.provider) } : {}),
        ...addressOf(r.inputs),
        inputs: relativeTo(maskSecrets(r.inputs, run.config.placeholders), run.root) as Record<string, Json>,
      });
    },
  });
  const outputs: Record<string, Json> = {};
  if (typeof exported === "object" && exported !== null) {
    for (const [k, v] of Object.entries(exported).sort(([a], [b]) => a.localeCompare(b))) {
      if (k === "default" || typeof v === "function") continue;
      outputs[k] = await resolve(v, run.config.placeholders);
    }
  }
  return {
    stack: run.stack,
    absent: false,
    hosts: hostsOf(run.config.values),
    resources: resources.sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name)),
    aliases: aliasesOf(outputs, run.config.values),
    outputs,
    placeholders: run.config.placeholders,
  };
}

function entryPath(root: string, main: string): string {
  const p = join(root, main);
  return existsSync(p) && statSync(p).isDirectory() ? join(p, "index.ts") : p;
}

/**
 * Captures a stack of the project at `root` by importing its entry (Pulumi.yaml `main`), exactly the
 * module the CLI would run. An entry runs once per process: one call per process.
 */
export async function captureStack(root: string, stack: string): Promise<Capture> {
  const project = readProjectFile(root);
  const file = stackFilePath(root, project, stack);
  if (!existsSync(file)) throw new PlanError(`unknown stack "${stack}": no ${file}`);
  const entry = entryPath(root, project.main);
  if (!existsSync(entry)) throw new PlanError(`the program entry ${entry} does not exist`);
  const config = stackValues(readFileSync(file, "utf8"), project.name);
  const savedHome = process.env.HOME;
  return captureProgram({
    project: project.name,
    stack,
    config,
    root,
    program: async () => {
      process.env.HOME = planHome;
      try {
        return (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
      } finally {
        if (savedHome === undefined) delete process.env.HOME;
        else process.env.HOME = savedHome;
      }
    },
  });
}
