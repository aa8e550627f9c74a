// The home stack on the lab (`npm run e2e:lab` stands the lab up and starts this file): the generated
// lab stack driven with the CLI a user runs, checked on each host over SSH and through Traefik. The
// steps build on each other, in order.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { stackSpec } from "../../infra/specs/stack.js";
import { startHostSshd, stopHostSshd } from "../../scripts/lab/hosts.js";
import { kubeCall } from "../../scripts/lab/kube.js";
import { anthropicStream, get, ollamaChat, openaiChat } from "./faces.js";
import { eventually } from "../../scripts/lib/child.js";
import { accessLog, cli, containersOn, hostDocker, lab, labStackConfig, note, onHost, startTimes, traefikRetries } from "./lab.js";

const cfg = labStackConfig();
const plan = stackSpec(cfg, "/root");
const labDir = `${lab.workDir}/..`;
const routerHosts = cfg.router.hosts;
const ollamaHosts = Object.entries(cfg.backends).filter(([, b]) => b.engine === "ollama");
let destroyed = false;

function changedResources(previewJson: string): string[] {
  const plan = JSON.parse(previewJson) as { steps?: { op: string; urn: string }[] };
  const names = (plan.steps ?? []).filter((s) => s.op !== "same").map((s) => s.urn.slice(s.urn.lastIndexOf("::") + 2));
  return [...new Set(names)].sort();
}

/** Which router (host address) served each request whose path is `path`, from Traefik's access log. */
function routersServing(path: string, since: number): Set<string> {
  return new Set(
    accessLog()
      .slice(since)
      .filter((e) => e.RequestPath === path && e.DownstreamStatus === 200)
      .map((e) => (e.ServiceAddr ?? "").split(":")[0] ?? ""),
  );
}

afterAll(async () => {
  if (!destroyed) await cli(["destroy", "--yes", "--skip-preview"], { quiet: true });
});

describe("the home stack on the lab", () => {
  it("1. previews, then comes up from nothing: every container on its host, routers built there, models present, config loaded", async () => {
    const preview = await cli(["preview", "--diff"]);
    expect(preview.code, preview.stderr).toBe(0);
    const up = await cli(["up", "--yes", "--skip-preview"]);
    expect(up.code, up.stderr).toBe(0);
    for (const h of lab.hosts) {
      const expected = plan.containers
        .filter((c) => c.host === h.name)
        .map((c) => c.name)
        .sort();
      expect(containersOn(h.name), `containers on ${h.name}`).toEqual(expected);
      note(`${h.name}: ${expected.join(", ")}`);
      for (const c of plan.containers.filter((x) => x.host === h.name && x.gpus)) {
        // The GPU request reached that host's dockerd unchanged.
        expect(hostDocker(h.name, ["inspect", "-f", "{{json .HostConfig.DeviceRequests}}", c.name])).toContain('"gpu"');
      }
    }
    for (const h of routerHosts) {
      const built = hostDocker(h, ["image", "inspect", "-f", "{{.Id}}", "aistack-router:local"]);
      expect(hostDocker(h, ["inspect", "-f", "{{.Image}}", `router-${h}`])).toBe(built);
      const file = JSON.parse(onHost(h, "cat /opt/aistack/router/router.json")) as { aliases: Record<string, unknown> };
      expect(Object.keys(file.aliases).sort()).toEqual(Object.keys(cfg.router.aliases).sort());
    }
    for (const [name, b] of ollamaHosts) {
      const listed = hostDocker(b.hosts[0] as string, ["exec", name, "ollama", "list"]);
      for (const m of b.engine === "ollama" ? b.models : []) expect(listed.toLowerCase()).toContain(m.toLowerCase());
    }
  });

  it("2. answers through Traefik over TLS with the stack's domain and a key: all three faces, Open WebUI's and Kokoro's routes", async () => {
    const micro = await eventually("micro through Traefik", async () => {
      const r = await openaiChat("micro");
      return r.status === 200 ? r : undefined;
    });
    expect(ollamaHosts.map(([n]) => n)).toContain(micro.backend);
    const coder = await openaiChat("coder");
    expect([coder.status, coder.backend]).toEqual([200, "spark-vllm"]);
    const stream = await anthropicStream("micro");
    expect(stream.status).toBe(200);
    expect(stream.text).toContain("event: message_stop");
    const ollama = await ollamaChat("micro");
    expect(ollama.status).toBe(200);
    expect(JSON.parse(ollama.text)).toMatchObject({ done: true });
    note(
      `faces: openai micro -> ${micro.backend}, coder -> ${coder.backend}, anthropic stream ${stream.status}, ollama ${ollama.status} via ${ollama.backend}`,
    );
    // Open WebUI gets everything the router does not take; /api/version goes to it with its session cookie.
    expect((await get("/")).standin).toBe("open-webui");
    expect((await get("/api/config")).standin).toBe("open-webui");
    expect((await get("/api/version", { cookie: "token=abc" })).standin).toBe("open-webui");
    expect((await get("/api/version")).standin).toBeNull();
    // Kokoro has no route of its own: /v1/ belongs to the router; Open WebUI reaches Kokoro at the URL it is given.
    expect((await get("/v1/audio/voices")).standin).toBeNull();
    const ttsUrl = hostDocker(cfg.openWebUI?.host ?? "", ["exec", "open-webui", "sh", "-c", "echo $AUDIO_TTS_OPENAI_API_BASE_URL"]);
    expect(hostDocker(cfg.openWebUI?.host ?? "", ["exec", "open-webui", "curl", "-fsS", `${ttsUrl}/audio/voices`])).toContain('"service":"kokoro"');
  });

  it("3. both routers serve; with one stopped, every request through Traefik succeeds on the other, and both serve after its restart", async () => {
    const from = accessLog().length;
    for (let i = 0; i < 12; i++) expect((await openaiChat("coder")).status).toBe(200);
    expect([...routersServing("/api/v1/chat/completions", from)].sort()).toEqual(routerHosts.map((h) => cfg.hosts[h]?.address).sort());
    const [down, up] = routerHosts as [string, string];
    hostDocker(down, ["stop", `router-${down}`]);
    // The IngressRoute's retry middleware sends a stopped router's refused connection to the other
    // router: no request fails, one after another or six at once.
    const after = accessLog().length;
    const retriesBefore = traefikRetries();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await openaiChat("coder")).status);
    statuses.push(...(await Promise.all(Array.from({ length: 6 }, async () => (await openaiChat("coder")).status))));
    const retried = traefikRetries() - retriesBefore;
    note(
      `router-${down} stopped: ${statuses.filter((s) => s === 200).length} of ${statuses.length} requests through Traefik answered 200, ${retried} of them retried on router-${up}`,
    );
    expect(statuses).toEqual(statuses.map(() => 200));
    expect(retried).toBeGreaterThan(0);
    expect([...routersServing("/api/v1/chat/completions", after)]).toEqual([cfg.hosts[up]?.address]);
    hostDocker(down, ["start", `router-${down}`]);
    await eventually(
      "both routers serving again",
      async () => {
        const mark = accessLog().length;
        for (let i = 0; i < 8; i++) await openaiChat("coder", 10_000);
        return routersServing("/api/v1/chat/completions", mark).size === 2 ? true : undefined;
      },
      60_000,
    );
  });

  it("4. a second preview reports no changes", async () => {
    const r = await cli(["preview", "--expect-no-changes", "--diff"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it("5. a repoint changes one router-<host>-config per router host; after up Traefik reaches the new target and nothing restarted", async () => {
    const before = startTimes();
    for (const [k, v] of [
      ["router.aliases.coder.targets[0].backend", "unraid-ollama"],
      ["router.aliases.coder.targets[0].model", "Qwen3.5-27b"],
    ] as const) {
      const set = await cli(["config", "set", "--path", k, v]);
      expect(set.code, set.stderr).toBe(0);
    }
    const preview = await cli(["preview", "--json"], { quiet: true });
    expect(preview.code, preview.stderr).toBe(0);
    const changed = changedResources(preview.stdout);
    note(`repoint: changed ${JSON.stringify(changed)}`);
    expect(changed).toEqual(routerHosts.map((h) => `router-${h}-config`).sort());
    const up = await cli(["up", "--yes", "--skip-preview"]);
    expect(up.code, up.stderr).toBe(0);
    await eventually("coder answered by unraid-ollama", async () => ((await openaiChat("coder")).backend === "unraid-ollama" ? true : undefined), 60_000);
    expect(startTimes()).toEqual(before);
  });

  // A plain `pulumi up` with nothing to change on the stopped host does not contact it (the lab saw it
  // succeed); one that reads the host's resources (--refresh) must fail and name it.
  it("6. with one host's sshd stopped, up --refresh fails naming that host and touches no other; after it is back, up converges", async () => {
    const victim = "dev";
    const ids = (): Record<string, string> =>
      Object.fromEntries(
        lab.hosts
          .filter((h) => h.name !== victim)
          .flatMap((h) => containersOn(h.name).map((c) => [`${h.name}/${c}`, hostDocker(h.name, ["inspect", "-f", "{{.Id}} {{.State.StartedAt}}", c])])),
      );
    const before = ids();
    await stopHostSshd(labDir, victim);
    try {
      const r = await cli(["up", "--refresh", "--yes", "--skip-preview"]);
      expect(r.code).not.toBe(0);
      const errors = `${r.stdout}\n${r.stderr}`.split("\n").filter((l) => /error/i.test(l));
      note(`host down: ${errors.slice(0, 6).join("\n")}`);
      const address = (cfg.hosts[victim]?.address ?? "").replace(/\./g, "\\.");
      expect(errors.join("\n")).toMatch(new RegExp(`ssh://[a-z]+@${address}:22`));
      expect(errors.join("\n")).toContain(`::router-${victim}`);
      expect(ids()).toEqual(before);
    } finally {
      await startHostSshd(labDir, victim);
    }
    const up = await cli(["up", "--refresh", "--yes", "--skip-preview"]);
    expect(up.code, up.stderr).toBe(0);
    const again = await cli(["preview", "--expect-no-changes", "--diff"]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
  });

  it("7. destroy removes the stack's containers and Kubernetes objects and keeps the model volumes", async () => {
    const r = await cli(["destroy", "--yes", "--skip-preview"]);
    expect(r.code, r.stderr).toBe(0);
    destroyed = true;
    for (const h of lab.hosts) expect(containersOn(h.name), h.name).toEqual([]);
    for (const [name, b] of ollamaHosts)
      expect(hostDocker(b.hosts[0] as string, ["volume", "inspect", "-f", "{{.Name}}", `${name}-models`])).toBe(`${name}-models`);
    const routes = await kubeCall(kubeApi(), "GET", `/apis/traefik.io/v1alpha1/namespaces/${cfg.ingress.namespace}/ingressroutes`);
    expect((routes.body as { items?: unknown[] }).items ?? []).toEqual([]);
    const services = await kubeCall(kubeApi(), "GET", `/api/v1/namespaces/${cfg.ingress.namespace}/services`);
    expect((services.body as { items?: unknown[] }).items ?? []).toEqual([]);
  });
});

/** The lab API server and its token, from the kubeconfig `up` wrote. */
function kubeApi(): { server: string; token: string; ca: string } {
  const k = parse(readFileSync(lab.kubeconfig, "utf8")) as { clusters: { cluster: { server: string } }[]; users: { user: { token: string } }[] };
  return { server: k.clusters[0]?.cluster.server ?? "", token: k.users[0]?.user.token ?? "", ca: lab.caFile };
}
