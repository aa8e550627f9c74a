// What the drift check on the lab needs: `npm run drift -- --stack lab` as a user runs it (in the lab's
// project copy, with the lab's environment), `pulumi preview --refresh --json` reduced to the resources
// it would change, a container re-created by hand with one setting changed, the healthy wait after
// containers (re)start, and the fixes a report prints, run as printed (with the lab's stand-ins for a
// registry pull, which the lab cannot reach).
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { stackLabels } from "../../infra/specs/labels.js";
import { shellJoin } from "../../infra/specs/shell.js";
import { cli, hostDocker, lab, labEnv, note, onHost } from "./lab.js";

export interface DriftFinding {
  kind: string;
  subject: string;
  stack: string;
  live: string;
  fix: string;
}

interface DriftReport {
  stack: string;
  verdict: string;
  exitCode: number;
  hosts: { name: string; docker: string; findings: DriftFinding[] }[];
}

export interface DriftRun {
  code: number;
  report: DriftReport;
  /** `host kind subject`, one per finding, sorted: what a check compares. */
  found: string[];
  findings: (DriftFinding & { host: string })[];
}

function sh(file: string, args: string[], cwd = lab.workDir): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: labEnv, timeout: 10 * 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 255) : 0, stdout, stderr });
    });
  });
}

/** `npm run drift -- --stack lab --json` in the project copy; the text form too when `text` (to the log). */
export async function drift(opts: { text?: boolean } = {}): Promise<DriftRun> {
  if (opts.text) {
    const t = await sh("npm", ["run", "-s", "drift", "--", "--stack", lab.stack]);
    note(`\n$ npm run drift -- --stack ${lab.stack}  (exit ${t.code})\n${t.stdout}${t.stderr}`);
  }
  const r = await sh("npm", ["run", "-s", "drift", "--", "--stack", lab.stack, "--json"]);
  let report: DriftReport;
  try {
    report = JSON.parse(r.stdout) as DriftReport;
  } catch {
    throw new Error(`npm run drift printed no JSON (exit ${r.code}): ${r.stderr.slice(-2000)}`);
  }
  const findings = report.hosts.flatMap((h) => h.findings.map((f) => ({ ...f, host: h.name })));
  return { code: r.code, report, findings, found: [...new Set(findings.map((f) => `${f.host} ${f.kind} ${f.subject}`))].sort() };
}

/** The stack's labels as the program sets them in the lab (project name from the copy's Pulumi.yaml). */
export function labLabels(): Record<string, string> {
  const project = (parse(readFileSync(join(lab.workDir, "Pulumi.yaml"), "utf8")) as { name: string }).name;
  return stackLabels(project, lab.stack);
}

/** `pulumi preview --refresh --json`: each resource it would change, as `<op> <name>` (op: update, replace, create, ...). */
export async function previewRefresh(): Promise<{ code: number; changes: string[]; error: string }> {
  const r = await cli(["preview", "--refresh", "--json"], { quiet: true });
  let steps: { op: string; urn: string }[] = [];
  try {
    steps = (JSON.parse(r.stdout) as { steps?: { op: string; urn: string }[] }).steps ?? [];
  } catch {
    // a failed preview prints its diagnostics, not a plan
  }
  const changes = steps.filter((s) => !["same", "read", "refresh"].includes(s.op)).map((s) => `${s.op} ${s.urn.slice(s.urn.lastIndexOf("::") + 2)}`);
  const error = `${r.stdout}\n${r.stderr}`
    .split("\n")
    .filter((l) => /error/i.test(l))
    .slice(0, 4)
    .join(" | ");
  return { code: r.code, changes: [...new Set(changes)].sort(), error };
}

interface Inspected {
  Config: { Env: string[]; [k: string]: unknown };
  HostConfig: { PortBindings?: Record<string, { HostIp: string; HostPort: string }[]>; RestartPolicy?: { Name: string }; [k: string]: unknown };
}

/**
 * Removes a container and creates it again under the same name from its own `docker inspect` (Config and
 * HostConfig, through the host's Docker API), with one change: as a user re-running it with one other
 * flag, and nothing else different, so that one difference is all there is to find.
 */
export function recreate(host: string, name: string, change: (c: Inspected) => void): void {
  const [c] = JSON.parse(hostDocker(host, ["inspect", "--type", "container", name])) as Inspected[];
  if (!c) throw new Error(`no container ${name} on ${host}`);
  change(c);
  const body = JSON.stringify({ ...c.Config, HostConfig: c.HostConfig });
  hostDocker(host, ["rm", "-f", name]);
  const url = `http://docker/containers/create?name=${encodeURIComponent(name)}`;
  onHost(host, `curl -sSf --unix-socket "\${DOCKER_HOST#unix://}" -H 'Content-Type: application/json' --data-binary @- ${shellJoin([url])}`, body);
  hostDocker(host, ["start", name]);
}

/** Every running container on every host reports healthy (the stack gives each a healthcheck). */
export function allHealthy(): boolean {
  return lab.hosts.every((h) =>
    hostDocker(h.name, ["ps", "--format", "{{.Names}} {{.Status}}"])
      .split("\n")
      .filter(Boolean)
      .every((l) => l.includes("(healthy)")),
  );
}

/** The lab's model files, as `npm run lab -- up` seeded them: `<dir>/models/<backend>/model-<i>.{gguf,Modelfile}`. */
function seededModel(backend: string, model: string): string {
  const names =
    (parse(readFileSync(join(lab.workDir, "stacks", `Pulumi.${lab.stack}.yaml`), "utf8")) as { config: Record<string, { [b: string]: { models?: string[] } }> })
      .config["aistack:backends"]?.[backend]?.models ?? [];
  const i = names.indexOf(model);
  if (i < 0) throw new Error(`${model} is not seeded for ${backend}`);
  return `model-${i}`;
}

/**
 * The lab's stand-in for `ollama pull <model>` (no registry is reachable): `ollama create` from the file
 * the lab seeded the model from, through the engine's own API, as the seed did.
 */
function labPull(host: string, container: string, model: string): void {
  const file = seededModel(container, model);
  hostDocker(host, ["cp", join(lab.workDir, "..", "models", container), `${container}:/gguf`]);
  hostDocker(host, ["exec", container, "ollama", "create", model, "-f", `/gguf/${file}.Modelfile`]);
}

/**
 * Runs each finding's fix as printed: the `docker -H ...` commands as they are (the lab's PATH has its
 * ssh), the `pulumi up` ones as one `pulumi up --yes` with every `--replace` they name. A registry pull,
 * which the lab cannot make, is done by its stand-in: `ollama create` from the seed, `docker tag` of
 * the image id `standIn.retag` names for the reference.
 */
export async function applyFixes(findings: readonly (DriftFinding & { host: string })[], standIn: { retag?: Record<string, string> } = {}): Promise<void> {
  const replaces = new Set<string>();
  let up = false;
  for (const f of findings) {
    for (const part of f.fix.split(" && ")) {
      const pull = /^docker -H \S+ exec (\S+) ollama pull (\S+)$/.exec(part);
      const image = /^docker -H \S+ pull (\S+)$/.exec(part);
      if (part.startsWith("pulumi up ")) {
        up = true;
        for (const m of part.matchAll(/--replace '?([^' ]+)'?/g)) replaces.add(m[1] as string);
      } else if (pull) labPull(f.host, pull[1] as string, (pull[2] as string).replace(/^'|'$/g, ""));
      else if (image)
        hostDocker(f.host, ["tag", standIn.retag?.[(image[1] as string).replace(/^'|'$/g, "")] ?? "", (image[1] as string).replace(/^'|'$/g, "")]);
      else {
        const r = await sh("/bin/sh", ["-c", part]);
        note(`$ ${part}  (exit ${r.code})`);
        if (r.code !== 0) throw new Error(`fix failed: ${part}: ${r.stderr.slice(-500)}`);
      }
    }
  }
  if (up) {
    const r = await cli(["up", "--refresh", "--yes", "--skip-preview", ...[...replaces].flatMap((u) => ["--replace", u])], { quiet: true });
    if (r.code !== 0)
      throw new Error(
        `pulumi up failed: ${`${r.stdout}\n${r.stderr}`
          .split("\n")
          .filter((l) => /error/i.test(l))
          .slice(0, 6)
          .join("\n")}`,
      );
  }
}
