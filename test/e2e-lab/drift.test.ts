// `npm run drift` on the lab (`npm run e2e:lab` runs this file too; docs/drift.md): a converged lab is
// clean, also after every container restarts; drift made by hand on the hosts, one kind at a time, is
// found with its kind on its host, and `pulumi preview --refresh` is run after each to record what it
// sees; the fixes the report prints bring the lab back; a host whose sshd is stopped is reported
// unreachable without hiding the other hosts' findings.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostSshd, stopHostSshd } from "../../scripts/lab/hosts.js";
import { eventually } from "../../scripts/lib/child.js";
import { allHealthy, applyFixes, drift, labLabels, previewRefresh, recreate } from "./drift-lab.js";
import { cli, hostDocker, lab, labStackConfig, note, onHost } from "./lab.js";

const cfg = labStackConfig();
const labDir = `${lab.workDir}/..`;
const routerFile = "/opt/aistack/router/router.json";
const pinnedOllama = cfg.backends["dev-ollama"]?.image ?? "";
/** What `docker tag` put back in place of a registry pull: the pinned reference's id before the re-tag. */
const retag: Record<string, string> = {};

async function healthy(): Promise<void> {
  await eventually("every running container healthy", () => Promise.resolve(allHealthy() ? true : undefined), 180_000);
}

interface Injection {
  what: string;
  /** `host kind subject` of each finding it must add. */
  expect: string[];
  inject: () => void;
}

const injections: Injection[] = [
  {
    what: "a container stopped (docker stop)",
    expect: ["spark-1 container-stopped spark-vllm-head"],
    inject: () => hostDocker("spark-1", ["stop", "spark-vllm-head"]),
  },
  {
    what: "a container removed (docker rm -f)",
    expect: ["spark-2 container-missing spark-vllm-worker-1"],
    inject: () => hostDocker("spark-2", ["rm", "-f", "spark-vllm-worker-1"]),
  },
  {
    what: "a container re-created with another env value",
    expect: ["unraid env open-webui"],
    inject: () =>
      recreate("unraid", "open-webui", (c) => (c.Config.Env = c.Config.Env.map((e) => (e.startsWith("AUDIO_TTS_VOICE=") ? "AUDIO_TTS_VOICE=by-hand" : e)))),
  },
  {
    what: "a container re-created with another port",
    expect: ["unraid ports kokoro"],
    inject: () =>
      recreate("unraid", "kokoro", (c) => {
        for (const b of Object.values(c.HostConfig.PortBindings ?? {})) for (const p of b) p.HostPort = String(Number(p.HostPort) + 10_000);
      }),
  },
  {
    what: "a container re-created with another restart policy",
    expect: ["unraid restart-policy unraid-ollama"],
    inject: () =>
      recreate(
        "unraid",
        "unraid-ollama",
        (c) => (c.HostConfig.RestartPolicy = { Name: c.HostConfig.RestartPolicy?.Name === "always" ? "unless-stopped" : "always" }),
      ),
  },
  {
    what: "another restart policy on the same container (docker update)",
    expect: ["dev restart-policy router-dev"],
    inject: () => hostDocker("dev", ["update", "--restart", "always", "router-dev"]),
  },
  {
    what: "an image re-tagged under the pinned name",
    expect: ["dev image dev-ollama"],
    inject: () => {
      retag[pinnedOllama] = hostDocker("dev", ["image", "inspect", "-f", "{{.Id}}", pinnedOllama]);
      hostDocker("dev", ["tag", "node:22-slim", pinnedOllama]);
    },
  },
  {
    what: "a declared model removed (ollama rm)",
    expect: ["unraid model-missing unraid-ollama"],
    inject: () => hostDocker("unraid", ["exec", "unraid-ollama", "ollama", "rm", "qwen3-coder:30b"]),
  },
  {
    // No registry is reachable from the lab: the engine's own API makes the model (/api/copy).
    what: "an undeclared model pulled (ollama cp, the lab's stand-in)",
    expect: ["dev model-extra dev-ollama"],
    inject: () => hostDocker("dev", ["exec", "dev-ollama", "ollama", "cp", "Qwen3.5-27b", "by-hand:latest"]),
  },
  {
    what: "the router config file edited on the host",
    expect: ["unraid router-config router-unraid"],
    inject: () => {
      const doc = JSON.parse(onHost("unraid", `cat ${routerFile}`)) as { aliases: Record<string, unknown> };
      delete doc.aliases.agent;
      onHost("unraid", `cat > ${routerFile}.new && mv ${routerFile}.new ${routerFile}`, `${JSON.stringify(doc, null, 2)}\n`);
    },
  },
  { what: "the router config file deleted", expect: ["dev router-config router-dev"], inject: () => onHost("dev", `rm ${routerFile}`) },
  {
    what: "a foreign container with the stack's labels",
    expect: ["spark-2 foreign-container by-hand"],
    inject: () =>
      hostDocker("spark-2", [
        "create",
        "--name",
        "by-hand",
        ...Object.entries(labLabels()).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
        cfg.backends["spark-vllm"]?.image ?? "",
        "true",
      ]),
  },
];

/** What `pulumi preview --refresh` planned for each injected kind (the changes it added), for docs/drift.md. */
const seen: [string, string][] = [];

beforeAll(async () => {
  const up = await cli(["up", "--refresh", "--yes", "--skip-preview"], { quiet: true });
  expect(up.code, up.stderr).toBe(0);
  await healthy();
});

afterAll(async () => {
  note(`\npulumi preview --refresh, per injected kind:\n${seen.map(([w, s]) => `| ${w} | ${s} |`).join("\n")}`);
  if (process.env.AISTACK_LAB_KEEP !== "1") await cli(["destroy", "--yes", "--skip-preview"], { quiet: true });
});

describe("npm run drift on the lab", () => {
  it("1. a converged lab: three runs find nothing, and nothing after every container restarted", async () => {
    for (let i = 0; i < 3; i++) {
      const r = await drift({ text: i === 0 });
      expect([r.code, r.found]).toEqual([0, []]);
    }
    for (const h of lab.hosts) onHost(h.name, "docker restart $(docker ps -q)");
    await healthy();
    const r = await drift();
    expect([r.code, r.found]).toEqual([0, []]);
  });

  it("2. each kind made by hand, one at a time, is found with its kind on its host; preview --refresh is recorded", async () => {
    const expected: string[] = [];
    let before = (await previewRefresh()).changes;
    expect(before).toEqual([]);
    for (const inj of injections) {
      inj.inject();
      await healthy();
      expected.push(...inj.expect);
      const r = await drift();
      note(
        `${inj.what}: ${r.findings
          .filter((f) => inj.expect.includes(`${f.host} ${f.kind} ${f.subject}`))
          .map((f) => `${f.kind} ${f.subject}: stack ${f.stack}; live ${f.live}`)
          .join(" / ")}`,
      );
      expect([r.code, r.found], inj.what).toEqual([1, [...expected].sort()]);
      const p = await previewRefresh();
      const added = p.changes.filter((c) => !before.includes(c));
      seen.push([inj.what, p.code !== 0 && added.length === 0 ? `preview failed: ${p.error}` : added.join(", ") || "not seen"]);
      before = p.changes;
    }
    await drift({ text: true });
  });

  it("3. the printed fixes, then pulumi up, bring the lab back: drift clean, preview --refresh with no changes", async () => {
    const r = await drift();
    // Engine-side fixes (exec, start) before the ones that remove a container and re-create it.
    const removes = (f: { fix: string }): boolean => f.fix.includes(" rm -f ") || f.fix.startsWith("pulumi ");
    await applyFixes([...r.findings.filter((f) => !removes(f)), ...r.findings.filter(removes)], { retag });
    await healthy();
    const after = await drift({ text: true });
    expect([after.code, after.found]).toEqual([0, []]);
    const p = await cli(["preview", "--refresh", "--expect-no-changes"], { quiet: true });
    expect(p.code, p.stdout + p.stderr).toBe(0);
  });

  it("4. a host unreachable (sshd stopped) is reported as such, exit 2, and the other hosts' findings still are", async () => {
    hostDocker("unraid", ["stop", "kokoro"]);
    await stopHostSshd(labDir, "dev");
    try {
      const r = await drift({ text: true });
      const dev = lab.hosts.find((h) => h.name === "dev");
      expect([r.code, r.found]).toEqual([2, [`dev host-unreachable ssh://${dev?.user}@${dev?.address}:${dev?.sshPort}`, "unraid container-stopped kokoro"]]);
      const p = await previewRefresh();
      seen.push(["a host unreachable (sshd stopped)", p.code !== 0 ? `preview failed: ${p.error}` : p.changes.join(", ") || "not seen"]);
    } finally {
      await startHostSshd(labDir, "dev");
    }
    await applyFixes((await drift()).findings);
    await healthy();
    expect((await drift()).found).toEqual([]);
  });
});
