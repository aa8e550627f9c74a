// The comparison on recorded live states of the home stack: clean as recorded, then one hand-made
// change per case, each found with the right kind, on the right host, with the command that fixes it.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { assembleHost, type RawHostReads } from "../../../scripts/drift/assemble.js";
import { compare } from "../../../scripts/drift/compare.js";
import { envDigest } from "../../../scripts/drift/desired.js";
import { exitCode, renderJson, renderText } from "../../../scripts/drift/report.js";
import type { DesiredState, Finding } from "../../../scripts/drift/types.js";
import { routerFile, setEnv, spark1, unraid, urls, withContainer, withJson, withoutContainer } from "./recorded.js";
import { desiredOf } from "./stacks.js";

const home = desiredOf("home");
const only = (...names: string[]): DesiredState => ({ ...home, hosts: home.hosts.filter((h) => names.includes(h.name)) });
const hostOf = (name: string) => {
  const h = home.hosts.find((x) => x.name === name);
  if (!h) throw new Error(name);
  return h;
};

function findings(reads: { unraid?: RawHostReads; "spark-1"?: RawHostReads }): Finding[] {
  const names = Object.keys(reads);
  const live = Object.entries(reads).map(([name, raw]) => assembleHost(hostOf(name), raw));
  return compare(only(...names), live);
}

const unraidUrn = (type: string, name: string) => `urn:pulumi:home::aistack::${type}::${name}`;
const upFix = "pulumi up -s home --refresh";
const onUnraid = "docker -H ssh://root@10.0.0.10:22";
const recreate = (name: string) => `${onUnraid} rm -f ${name} && ${upFix}`;
const configUrn = unraidUrn("aistack:router:Router$command:remote:Command", "router-unraid-config");
const replaceFix = (urn: string) => `pulumi up -s home --refresh --replace '${urn}'`;
const edited = readFileSync(new URL("./fixtures/unraid-router.json", import.meta.url), "utf8").replace('"port": 4000', '"port": 4001');

describe("drift on recorded live states", () => {
  it("finds nothing where the hosts are as the stack says", () => {
    const f = findings({ unraid: unraid(), "spark-1": spark1() });
    expect(f).toEqual([]);
    expect(exitCode(f)).toBe(0);
  });

  const cases: { name: string; reads: () => RawHostReads; want: Partial<Finding>[] }[] = [
    {
      name: "a container removed",
      reads: () => withoutContainer(unraid(), "kokoro"),
      want: [{ kind: "container-missing", subject: "kokoro", live: "no such container", fix: upFix }],
    },
    {
      name: "a container stopped (its API is not asked)",
      reads: () => withContainer(unraid(), "router-unraid", (c) => ((c.State.Status = "exited"), (c.State.Running = false))),
      want: [{ kind: "container-stopped", subject: "router-unraid", stack: "running", live: "exited", fix: `${onUnraid} start router-unraid` }],
    },
    {
      name: "an image re-tagged under the pinned name",
      reads: () => ({ ...unraid(), images: unraid().images.replace(/^(ollama\/ollama:0\.12\.6\t)sha256:5b4c/m, "$1sha256:9999") }),
      // Re-created as the host's tag now names it, the container would run the re-tagged image: pull first.
      want: [
        {
          kind: "image",
          subject: "unraid-ollama",
          stack: "ollama/ollama:0.12.6 = sha256:99992e0b4ad3",
          live: "runs sha256:5b4c2e0b4ad3",
          fix: `${onUnraid} pull ollama/ollama:0.12.6 && ${recreate("unraid-ollama")}`,
        },
      ],
    },
    {
      name: "the router image built on the host re-tagged (built again, never pulled)",
      reads: () => ({ ...unraid(), images: unraid().images.replace(/^(aistack-router:local\t)sha256:[0-9a-f]{4}/m, "$1sha256:9999") }),
      want: [{ kind: "image", subject: "router-unraid", fix: recreate("router-unraid") }],
    },
    {
      name: "a container re-created from another image",
      reads: () =>
        withContainer(unraid(), "kokoro", (c) => ((c.Config.Image = "ghcr.io/remsky/kokoro-fastapi-cpu:v0.2.4"), (c.Image = "sha256:abababababababababab"))),
      want: [{ kind: "image", subject: "kokoro", live: "runs ghcr.io/remsky/kokoro-fastapi-cpu:v0.2.4 sha256:abababababab" }],
    },
    {
      name: "the pinned image gone from the host",
      reads: () => ({ ...unraid(), images: unraid().images.replace(/^ghcr\.io\/open-webui.*$/m, "ghcr.io/open-webui/open-webui:v0.6.34\t") }),
      want: [{ kind: "image", subject: "open-webui", stack: "ghcr.io/open-webui/open-webui:v0.6.34 (not on the host)" }],
    },
    {
      name: "another command",
      reads: () => withContainer(unraid(), "router-unraid", (c) => (c.Config.Cmd = ["--config", "/etc/aistack/try.json"])),
      want: [
        {
          kind: "command",
          subject: "router-unraid",
          stack: 'command ["--config","/etc/aistack/router.json"]',
          live: 'command ["--config","/etc/aistack/try.json"]',
          fix: recreate("router-unraid"),
        },
      ],
    },
    {
      name: "another environment value",
      reads: () => withContainer(unraid(), "unraid-ollama", (c) => setEnv(c, "OLLAMA_KEEP_ALIVE", "5m")),
      want: [{ kind: "env", subject: "unraid-ollama", stack: "OLLAMA_KEEP_ALIVE=30m", live: "OLLAMA_KEEP_ALIVE=5m", fix: recreate("unraid-ollama") }],
    },
    {
      name: "a variable set by hand (the image's own are not drift)",
      reads: () => withContainer(unraid(), "unraid-ollama", (c) => setEnv(c, "OLLAMA_DEBUG", "1")),
      want: [{ kind: "env", subject: "unraid-ollama", stack: "OLLAMA_DEBUG not set", live: "OLLAMA_DEBUG=1" }],
    },
    {
      name: "another port",
      reads: () => withContainer(unraid(), "unraid-ollama", (c) => (c.HostConfig.PortBindings = { "11434/tcp": [{ HostIp: "0.0.0.0", HostPort: "11436" }] })),
      want: [{ kind: "ports", subject: "unraid-ollama", stack: "11435->11434", live: "11436->11434", fix: recreate("unraid-ollama") }],
    },
    {
      name: "another volume",
      reads: () => withContainer(unraid(), "unraid-ollama", (c) => ((c.Mounts[0] as { Name?: string }).Name = "ollama-scratch")),
      want: [
        {
          kind: "mounts",
          subject: "unraid-ollama",
          stack: "volume unraid-ollama-models -> /root/.ollama",
          live: "volume ollama-scratch -> /root/.ollama",
          fix: recreate("unraid-ollama"),
        },
      ],
    },
    {
      name: "another restart policy",
      reads: () => withContainer(unraid(), "open-webui", (c) => (c.HostConfig.RestartPolicy.Name = "no")),
      want: [{ kind: "restart-policy", subject: "open-webui", stack: "unless-stopped", live: "no", fix: recreate("open-webui") }],
    },
    {
      name: "no GPU request",
      reads: () => withContainer(unraid(), "unraid-ollama", (c) => (c.HostConfig.DeviceRequests = null)),
      want: [{ kind: "gpus", subject: "unraid-ollama", stack: "device=0,1", live: "no GPUs", fix: recreate("unraid-ollama") }],
    },
    {
      name: "a declared model removed with ollama rm",
      reads: () => withJson(unraid(), urls.tags, (b) => (b.models = (b.models as { name: string }[]).filter((m) => m.name !== "qwen3-coder:30b"))),
      want: [
        {
          kind: "model-missing",
          subject: "unraid-ollama",
          stack: "model qwen3-coder:30b",
          live: "not on the engine",
          fix: `${onUnraid} exec unraid-ollama ollama pull qwen3-coder:30b`,
        },
      ],
    },
    {
      name: "an undeclared model pulled",
      reads: () => withJson(unraid(), urls.tags, (b) => (b.models as { name: string }[]).push({ name: "llama3.2" })),
      want: [
        {
          kind: "model-extra",
          subject: "unraid-ollama",
          stack: "not declared",
          live: "model llama3.2:latest",
          fix: `${onUnraid} exec unraid-ollama ollama rm llama3.2:latest`,
        },
      ],
    },
    {
      name: "the router config file edited on the host",
      reads: () => ({ ...unraid(), files: { [routerFile]: edited } }),
      want: [
        {
          kind: "router-config",
          subject: "router-unraid",
          stack: `${routerFile} sha256:46871d888963`,
          live: `the file on the host is sha256:${envDigest(edited).slice(0, 12)}`,
          fix: replaceFix(configUrn),
        },
      ],
    },
    {
      name: "the router config file deleted",
      reads: () => ({ ...unraid(), files: { [routerFile]: null } }),
      want: [{ kind: "router-config", subject: "router-unraid", live: "no config file on the host", fix: replaceFix(configUrn) }],
    },
    {
      name: "the router serving another config than the file",
      reads: () => withJson(unraid(), urls.status, (b) => ((b.config as Record<string, unknown>).sha256 = "1234567890abcdef1234")),
      want: [{ kind: "router-config", subject: "router-unraid", live: "the router serves config v3 sha256:1234567890ab" }],
    },
    {
      name: "the router's last reload rejected",
      reads: () => withJson(unraid(), urls.status, (b) => ((b.config as Record<string, unknown>).rejected = { at: "2026-12-07T01:00:00.000Z", problems: [] })),
      want: [{ kind: "router-config", subject: "router-unraid", live: "the router rejected its last reload (serves v3)" }],
    },
    {
      name: "a foreign container with the stack's labels",
      reads: () => ({ ...unraid(), labelled: `${unraid().labelled}ollama-test\n` }),
      want: [{ kind: "foreign-container", subject: "ollama-test", stack: "not declared", fix: `${onUnraid} rm -f ollama-test` }],
    },
    {
      name: "an engine that does not answer",
      reads: () => ({ ...unraid(), http: { ...unraid().http, [urls.tags]: { error: "connect ECONNREFUSED 10.0.0.10:11435" } } }),
      want: [{ kind: "engine-unreachable", subject: "unraid-ollama", live: "http://10.0.0.10:11435/api/tags: connect ECONNREFUSED 10.0.0.10:11435" }],
    },
  ];

  it.each(cases)("$name", ({ reads, want }) => {
    const f = findings({ unraid: reads(), "spark-1": spark1() });
    expect(f).toEqual(want.map((w) => expect.objectContaining({ host: "unraid", ...w }) as unknown));
    expect(exitCode(f)).toBe(want.some((w) => w.kind === "engine-unreachable") ? 2 : 1);
  });

  it("finds what vLLM serves under another name", () => {
    const reads = withJson(spark1(), urls.models, (b) => (((b.data as { id: string }[])[0] as { id: string }).id = "MiniMaxAI/MiniMax-M2.5"));
    expect(findings({ "spark-1": reads })).toEqual([
      {
        kind: "served-model",
        host: "spark-1",
        subject: "spark-vllm",
        stack: "serves MiniMax-M2.5",
        live: "serves MiniMaxAI/MiniMax-M2.5",
        fix: `docker -H ssh://nvidia@10.0.0.11:22 rm -f spark-vllm-head && ${upFix}`,
      },
    ]);
  });

  it("an unreachable host never hides another host's findings", () => {
    const f = findings({
      unraid: { ...unraid(), unreachable: "ssh: connect to host 10.0.0.10 port 22: Connection refused" },
      "spark-1": withContainer(spark1(), "spark-vllm-head", (c) => (c.HostConfig.RestartPolicy.Name = "always")),
    });
    expect(f.map((x) => [x.host, x.kind])).toEqual([
      ["spark-1", "restart-policy"],
      ["unraid", "host-unreachable"],
    ]);
    expect(f[1]).toMatchObject({ live: "ssh: connect to host 10.0.0.10 port 22: Connection refused", fix: "ssh -p 22 root@10.0.0.10 docker version" });
    expect(exitCode(f)).toBe(2);
    expect(renderText(only("unraid", "spark-1"), f)).toContain("1 read failed (unraid: ssh://root@10.0.0.10:22)");
  });
});

describe("a secret that differs", () => {
  const liveSecret = "live-webui-secret-5f4e3d2c1b";
  const stackSecret = "plan-placeholder-secrets.webuiSecretKey";
  const handToken = "hf_handset_0a1b2c3d4e5f";
  const reads = withContainer(
    withContainer(unraid(), "open-webui", (c) => setEnv(c, "WEBUI_SECRET_KEY", liveSecret)),
    "unraid-ollama",
    (c) => setEnv(c, "HF_TOKEN", handToken),
  );
  const f = findings({ unraid: reads });

  it("is found, by name", () => {
    expect(f).toEqual([
      expect.objectContaining({ kind: "env", subject: "unraid-ollama", stack: "HF_TOKEN not set", live: "HF_TOKEN=(secret; value not shown)" }),
      expect.objectContaining({
        kind: "env",
        subject: "open-webui",
        stack: "WEBUI_SECRET_KEY=(secret)",
        live: "WEBUI_SECRET_KEY differs (secret; value not shown)",
      }),
    ]);
  });

  it("prints neither value nor digest, in text or JSON", () => {
    // The recording holds the stack's value, so it must be there to be left out.
    expect(unraid().inspect).toContain(stackSecret);
    for (const out of [renderText(only("unraid"), f), renderJson(only("unraid"), f)]) {
      for (const s of [liveSecret, stackSecret, handToken]) {
        expect(out).not.toContain(s);
        expect(out).not.toContain(envDigest(s).slice(0, 12));
      }
    }
  });
});
