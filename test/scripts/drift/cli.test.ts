// `npm run drift` end to end on loopback: the stack config from a stand-in `pulumi`, each host through a
// stand-in `ssh` (a refused connection, or the command run here against a stand-in `docker` with the
// host's recorded state), a fake Ollama and a router status page on ephemeral ports.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackSpec } from "../../../infra/specs/stack.js";
import { desiredState, envDigest } from "../../../scripts/drift/desired.js";
import { usage } from "../../../scripts/drift/args.js";
import { validated } from "../../../scripts/drift/stackConfig.js";
import { startFakeEngine, type FakeEngine } from "../../../tools/fakes/index.js";
import { project, root } from "../../infra/harness.js";
import { runScript, type ScriptRun } from "./script.js";

const cli = join(root, (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: { drift: string } }).scripts.drift.replace(/^tsx /, ""));
const bin = join(root, "test/scripts/drift/bin");
const secret = "sk-box-key-never-printed-7c6b5a";
const stack = "box";

let dir = "";
let ollama: FakeEngine;
let status: Server;
let routerPort = 0;
/** The router config file the status stand-in reports the digest of. */
let statusFile = "";
const localSocket = "unix:///tmp/aistack-drift-test/docker.sock";

function stackValues(): Record<string, unknown> {
  return {
    hosts: {
      box: { address: "127.0.0.1", user: "tester", sshPort: 2222, gpus: "none", arch: "amd64", dataDir: join(dir, "box") },
      attic: { address: "127.0.0.3", user: "tester", gpus: "none", arch: "amd64" },
    },
    backends: {
      "box-ollama": { engine: "ollama", hosts: ["box"], port: Number(new URL(ollama.url).port), image: "ollama/ollama:0.12.6", models: ["tiny"], ollama: {} },
      "attic-ollama": { engine: "ollama", hosts: ["attic"], port: 11434, image: "ollama/ollama:0.12.6", models: [], ollama: {} },
    },
    router: {
      hosts: ["box"],
      port: routerPort,
      image: "ghcr.io/example/aistack-router:1",
      apiKeys: [{ name: "laptop" }],
      aliases: { micro: { targets: [{ backend: "box-ollama", model: "tiny" }] } },
    },
    secrets: { apiKeys: { laptop: secret } },
  };
}

/** The listing `pulumi config --show-secrets --json` prints, secrets in plain text. */
function writeConfig(values: Record<string, unknown>): void {
  const listing = Object.fromEntries(
    Object.entries(values).map(([k, v]) => [`${project}:${k}`, { value: JSON.stringify(v), objectValue: v, secret: k === "secrets" }]),
  );
  writeFileSync(join(dir, "config.json"), JSON.stringify(listing));
}

/** A host as `pulumi up` left it: every declared container running as declared, the router file in place. */
function writeBox(
  values: Record<string, unknown>,
  change: (containers: Record<string, unknown>[]) => void = () => undefined,
  host = "box",
  stateFile = "127.0.0.1.json",
): void {
  const cfg = validated({ values, secretKeys: new Set(["secrets"]) }, stack);
  const desired = desiredState(cfg, { project, stack, homeDir: dir });
  const spec = stackSpec(cfg, dir);
  const images: Record<string, { Id: string; Env: string[] }> = {};
  const containers = spec.containers
    .filter((c) => c.host === host)
    .map((c) => {
      const id = `sha256:${envDigest(c.image)}`;
      images[c.image] = images[id] = { Id: id, Env: ["PATH=/usr/bin:/bin"] };
      return {
        Name: `/${c.name}`,
        Image: id,
        State: { Status: "running", Running: true },
        Config: {
          Image: id,
          Cmd: c.command ?? ["serve"],
          Entrypoint: c.entrypoint ?? null,
          Labels: desired.labels,
          Env: ["PATH=/usr/bin:/bin", ...Object.entries({ ...c.env, ...c.secretEnv }).map(([k, v]) => `${k}=${v}`)],
        },
        HostConfig: {
          PortBindings: Object.fromEntries(c.ports.map((p) => [`${p.internal}/tcp`, [{ HostIp: "0.0.0.0", HostPort: String(p.external) }]])),
          RestartPolicy: { Name: c.restart },
          DeviceRequests: null,
        },
        Mounts: [
          ...c.volumes.map((v) => ({ Type: "volume", Name: v.volume, Destination: v.containerPath, RW: true })),
          ...c.binds.map((b) => ({ Type: "bind", Source: b.hostPath, Destination: b.containerPath, RW: !b.readOnly })),
        ],
      };
    });
  change(containers);
  writeFileSync(join(dir, "hosts", stateFile), JSON.stringify({ containers, images }));
  const delivery = spec.routerConfigs[0];
  if (!delivery) throw new Error("no router config");
  mkdirSync(delivery.dir, { recursive: true });
  writeFileSync(delivery.file, delivery.content);
  statusFile = delivery.file;
}

function drift(...args: string[]): Promise<ScriptRun> {
  const fakes = {
    FAKE_LOCAL_SOCKET: localSocket,
    FAKE_PULUMI_STACK: stack,
    FAKE_PULUMI_CONFIG: join(dir, "config.json"),
    FAKE_HOSTS_DIR: join(dir, "hosts"),
    FAKE_SSH_DOWN: "127.0.0.3",
  };
  return runScript(cli, args, { ...process.env, HOME: dir, PATH: `${bin}:${process.env.PATH ?? ""}`, ...fakes });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aistack-drift-"));
  mkdirSync(join(dir, "hosts"));
  ollama = await startFakeEngine({ engine: "ollama", models: ["tiny"] });
  status = createServer((req, res) => {
    res.writeHead(req.url === "/status.json" ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify({ config: { version: 1, rejected: null, sha256: envDigest(readFileSync(statusFile, "utf8")) } }));
  });
  await new Promise<void>((r) => status.listen(0, "127.0.0.1", r));
  routerPort = (status.address() as { port: number }).port;
  writeConfig(stackValues());
});

afterAll(async () => {
  await ollama.stop();
  await new Promise((r) => status.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe("npm run drift", { timeout: 120_000 }, () => {
  it("--help prints the usage", async () => {
    const r = await drift("--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(usage);
    expect(usage).toContain("Exit codes: 0 clean; 1 drift found; 2 a host or an engine could not be read");
  });

  it("without --stack: exit 2 and the usage", async () => {
    const r = await drift();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--stack <name> is required");
  });

  it("an unknown stack: exit 2 with the CLI's reason", async () => {
    const r = await drift("--stack", "nope");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("drift: pulumi config -s nope failed: error: no stack named 'nope' found\n");
  });

  it("a reachable host as declared, an unreachable one: exit 2, the reachable host read in full", async () => {
    writeBox(stackValues());
    const r = await drift("--stack", stack);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(
      [
        "stack box: 2 hosts, no drift; 1 read failed (attic: ssh://tester@127.0.0.3:22)",
        "attic (ssh://tester@127.0.0.3:22): 1 finding",
        "  host-unreachable  ssh://tester@127.0.0.3:22: stack 1 containers; live ssh: connect to host 127.0.0.3 port 22: Connection refused. Fix: ssh -p 22 tester@127.0.0.3 docker version",
        "box (ssh://tester@127.0.0.1:2222): clean",
        "",
      ].join("\n"),
    );
    expect(r.code).toBe(2);
  });

  it("drift on the reachable host: exit 2 still (one host unread), and --json says the same", async () => {
    writeBox(stackValues(), (cs) => {
      const c = cs.find((x) => x.Name === "/box-ollama") as { Config: { Env: string[] } };
      c.Config.Env = c.Config.Env.map((e) => (e.startsWith("OLLAMA_KEEP_ALIVE=") ? "OLLAMA_KEEP_ALIVE=5m" : e));
    });
    const r = await drift("--stack", stack, "--json");
    const report = JSON.parse(r.stdout) as { verdict: string; exitCode: number; hosts: { name: string; findings: { kind: string; live: string }[] }[] };
    expect(report.verdict).toBe("incomplete");
    expect(report.hosts.map((h) => [h.name, h.findings.map((f) => `${f.kind}: ${f.live}`)])).toEqual([
      ["attic", ["host-unreachable: ssh: connect to host 127.0.0.3 port 22: Connection refused"]],
      ["box", ["env: OLLAMA_KEEP_ALIVE=5m"]],
    ]);
    expect(r.code).toBe(2);
  });

  it("with every host read: exit 1 on drift, 0 when clean; a secret never printed", async () => {
    const values = stackValues();
    delete (values.hosts as Record<string, unknown>).attic;
    delete (values.backends as Record<string, unknown>)["attic-ollama"];
    writeConfig(values);
    writeBox(values, (cs) => {
      const c = cs.find((x) => x.Name === "/router-box") as { Config: { Env: string[] } };
      c.Config.Env.push(`ROUTER_KEY=${secret}`);
    });
    const drifted = await drift("--stack", stack);
    expect(drifted.stdout.split("\n").slice(0, 2)).toEqual(["stack box: 1 host, 1 finding", "box (ssh://tester@127.0.0.1:2222): 1 finding"]);
    expect(drifted.stdout).toContain("  env  router-box: stack ROUTER_KEY not set; live ROUTER_KEY=(secret; value not shown).");
    expect(drifted.stdout + drifted.stderr).not.toContain(secret);
    expect(drifted.code).toBe(1);
    writeBox(values);
    const clean = await drift("--stack", stack);
    expect(clean.stdout).toBe("stack box: 1 host, no drift\nbox (ssh://tester@127.0.0.1:2222): clean\n");
    expect(clean.code).toBe(0);
  });

  it("a local host is read through its socket, its router file under the home directory", async () => {
    const values = stackValues();
    const port = Number(new URL(ollama.url).port);
    values.hosts = { here: { kind: "local", socket: localSocket } };
    values.backends = { "here-ollama": { engine: "ollama", hosts: ["here"], port, image: "ollama/ollama:0.12.6", models: ["tiny", "qwen3:0.6b"], ollama: {} } };
    values.router = {
      ...(values.router as Record<string, unknown>),
      hosts: ["here"],
      aliases: { micro: { targets: [{ backend: "here-ollama", model: "tiny" }] } },
    };
    writeConfig(values);
    writeBox(values, () => undefined, "here", "local.json");
    expect(statusFile).toBe(join(dir, ".aistack", "router", "router.json"));
    const r = await drift("--stack", stack);
    expect(r.stdout).toBe(
      [
        "stack box: 1 host, 1 finding",
        `here (${localSocket}): 1 finding`,
        `  model-missing  here-ollama: stack model qwen3:0.6b; live not on the engine. Fix: docker -H ${localSocket} exec here-ollama ollama pull qwen3:0.6b`,
        "",
      ].join("\n"),
    );
    expect(r.code).toBe(1);
  });
});
