// What the e2e:lab steps share: the standing lab (from `npm run lab -- up`'s JSON), the Pulumi CLI bound
// to the lab's project copy, commands on a host over SSH (as a user would run them), and an HTTPS client
// for Traefik that sends the stack's domain as SNI and Host and trusts the lab's CA.
import { execFileSync } from "node:child_process";
import type { LookupFunction } from "node:net";
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Agent, fetch as undiciFetch, type RequestInit } from "undici";
import { parse } from "yaml";
import { validateStackConfig } from "../../infra/config/load.js";
import type { StackConfig } from "../../infra/config/schema.js";
import { shellJoin } from "../../infra/specs/shell.js";
import { pulumiRunner, type PulumiResult } from "../../scripts/lib/project.js";
import type { LabInfo } from "../../scripts/lab/up.js";

const infoFile = process.env.AISTACK_LAB_INFO ?? "";
if (!infoFile) throw new Error("run this suite with `npm run e2e:lab`");
export const lab = JSON.parse(readFileSync(infoFile, "utf8")) as LabInfo;
export const labEnv = { ...process.env, ...lab.env };
const outputLog = join(lab.workDir, "..", "e2e-lab-output.log");

const pulumi = pulumiRunner(
  lab.pulumi,
  lab.workDir,
  (lab.env.PULUMI_BACKEND_URL ?? "").replace(/^file:\/\//, ""),
  lab.env.PULUMI_HOME ?? "",
  lab.env,
  lab.env.PULUMI_CONFIG_PASSPHRASE,
);

/** Runs pulumi on the lab stack; its output goes to stderr and the output log (the suite's real output). */
export async function cli(args: string[], opts: { quiet?: boolean } = {}): Promise<PulumiResult> {
  const r = await pulumi.run([...args, "-s", lab.stack], { timeoutMs: 40 * 60_000 });
  const text = `\n$ pulumi ${args.join(" ")} -s ${lab.stack}  (exit ${r.code})\n${opts.quiet ? "" : r.stdout}${r.stderr ? `--- stderr ---\n${r.stderr}` : ""}`;
  appendFileSync(outputLog, text);
  process.stderr.write(text);
  return r;
}

export function note(text: string): void {
  appendFileSync(outputLog, `${text}\n`);
  process.stderr.write(`${text}\n`);
}

function host(name: string): LabInfo["hosts"][number] {
  const h = lab.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no lab host ${name}`);
  return h;
}

/** A shell command on a host, over SSH with the lab's agent and known_hosts (`input` on its stdin). */
export function onHost(name: string, script: string, input?: string): string {
  const h = host(name);
  const opts = { env: labEnv, encoding: "utf8" as const, timeout: 120_000 };
  const args = ["-p", String(h.sshPort), `${h.user}@${h.address}`, "--", script];
  return (
    input === undefined ? execFileSync("ssh", args, { ...opts, stdio: ["ignore", "pipe", "pipe"] }) : execFileSync("ssh", args, { ...opts, input })
  ).trim();
}

export function hostDocker(name: string, args: string[]): string {
  return onHost(name, `docker ${shellJoin(args)}`);
}

export function containersOn(name: string): string[] {
  return hostDocker(name, ["ps", "-a", "--format", "{{.Names}}"]).split("\n").filter(Boolean).sort();
}

/** StartedAt of every container on every host. */
export function startTimes(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of lab.hosts) for (const c of containersOn(h.name)) out[`${h.name}/${c}`] = hostDocker(h.name, ["inspect", "-f", "{{.State.StartedAt}}", c]);
  return out;
}

/** The lab stack's config as the program validates it (placeholder secrets: only placement is read). */
export function labStackConfig(): StackConfig {
  const doc = parse(readFileSync(join(lab.workDir, "stacks", `Pulumi.${lab.stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  const values = Object.fromEntries(
    Object.entries(doc.config)
      .filter(([k]) => k.startsWith("aistack:"))
      .map(([k, v]) => [k.slice("aistack:".length), v]),
  );
  const keys = ((values.router as { apiKeys?: { name: string }[] }).apiKeys ?? []).map((k): [string, string] => [k.name, "placeholder-key-0000000000"]);
  const r = validateStackConfig({
    values: { ...values, secrets: { apiKeys: Object.fromEntries(keys), webuiSecretKey: "placeholder-secret-000000" } },
    secretKeys: new Set(["secrets"]),
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

const traefikPort = new URL(lab.traefikUrl).port;
const agent = new Agent({
  connect: {
    ca: readFileSync(lab.caFile),
    // The domain resolves to Traefik's loopback address here, nowhere else: no DNS is asked.
    lookup: ((_host: string, opts: { all?: boolean }, cb: (err: null, address: unknown, family?: number) => void) =>
      opts.all ? cb(null, [{ address: "127.0.0.1", family: 4 }]) : cb(null, "127.0.0.1", 4)) as unknown as LookupFunction,
  },
});

/** The public base URL: https://<domain>:<Traefik's port>. */
export const publicBase = `https://${lab.domain}:${traefikPort}`;

/** fetch through Traefik over TLS (SNI and Host: the stack's domain, verified against the lab CA). */
export const traefikFetch = (url: string | URL, init: RequestInit = {}): ReturnType<typeof undiciFetch> => undiciFetch(url, { ...init, dispatcher: agent });

export function authHeaders(): Record<string, string> {
  return { authorization: `Bearer ${lab.routerKey}`, "content-type": "application/json" };
}

/** How many times Traefik's retry middleware sent a request again (its DEBUG log: "New attempt N for request"). */
export function traefikRetries(): number {
  const log = readFileSync(join(lab.workDir, "..", "traefik", "traefik.log"), "utf8");
  return log.split("\n").filter((l) => l.includes("New attempt") && l.includes("middlewareType=Retry")).length;
}

/** Traefik's access log entries (JSON lines) from `from` on: which router served each request. */
export function accessLog(): { RequestPath?: string; ServiceAddr?: string; DownstreamStatus?: number; StartUTC?: string }[] {
  const file = join(lab.workDir, "..", "traefik", "traefik-access.log");
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { RequestPath?: string; ServiceAddr?: string; DownstreamStatus?: number; StartUTC?: string });
}
