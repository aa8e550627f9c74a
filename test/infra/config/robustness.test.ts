// Stack config robustness: one validation pass reports every problem it can soundly report (schema and
// cross-check alike) and none that is only a consequence of another part being invalid; seeded random
// mutations of the home stack never throw and are rejected with a path and a fixing command each.
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { loadStackConfig, validateStackConfig } from "../../../infra/config/load.js";
import { parseByPart } from "../../../infra/config/partial.js";
import type { ConfigProblem } from "../../../infra/config/problems.js";
import { prng } from "../../../scripts/soak/run.js";
import { installConfig, readStackFile, withSecrets } from "../harness.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Tree = Record<string, Json>;
type Path = (string | number)[];

function home(): Tree {
  return structuredClone(withSecrets(readStackFile("home"))) as Tree;
}

function validate(values: Tree): ConfigProblem[] {
  const r = validateStackConfig({ values, secretKeys: new Set(["secrets"]) });
  return r.ok ? [] : r.problems;
}

const line = (p: ConfigProblem): string => `${p.path}: ${p.message}. Fix: ${p.fix}`;

/** Sets (or, with `undefined`, deletes) the value at a path, creating nothing: the path must exist. */
function edit(tree: Tree, at: Path, value: Json | undefined): void {
  let parent: Json = tree;
  for (const k of at.slice(0, -1)) parent = (parent as Record<string | number, Json>)[k] as Json;
  const key = at[at.length - 1] as string | number;
  const p = parent as Record<string | number, Json>;
  if (value === undefined) delete p[key];
  else p[key] = value;
}

describe("stack config: every problem in one pass", () => {
  it("schema problems in some sections, cross-check problems in others, references to invalid entries stay quiet", () => {
    const cfg = home();
    edit(cfg, ["kokoro", "port"], "8880"); // wrong type in one section ...
    edit(cfg, ["router", "apiKeys", 0, "aliases"], ["coder", "writer"]); // ... a dangling scope in another
    edit(cfg, ["router", "aliases", "agent", "targets", 1, "backend"], "nope"); // ... and a dangling target
    edit(cfg, ["backends", "dev-ollama", "engine"], "tgi"); // present but invalid: coder and micro target it
    edit(cfg, ["hosts", "spark-2", "gpus"], "some"); // present but invalid: spark-vllm runs on it
    edit(cfg, ["router", "aliases", "micro", "targets"], []); // present but invalid: claudeModels.haiku names it
    edit(cfg, ["router", "claudeModels"], { haiku: "micro" });
    edit(cfg, ["secrets", "apiKeys", "laptop"], "short"); // present but invalid: router.apiKeys[0] names it
    edit(cfg, ["ingress", "domain"], ""); // present but invalid: not "ingress has no domain"
    edit(cfg, ["openWebUI", "port"], 8880); // would clash with Kokoro's, but Kokoro's port is not known

    expect(validate(cfg).map(line).sort()).toEqual(
      [
        `kokoro.port: must be a number. Fix: pulumi config set --path 'kokoro.port' '<port>'`,
        `router.apiKeys[0].aliases[1]: unknown alias "writer"; known: coder, agent. Fix: pulumi config set --path 'router.apiKeys[0].aliases[1]' coder`,
        `router.aliases.agent.targets[1].backend: unknown backend "nope"; known: spark-vllm, unraid-ollama. Fix: pulumi config set --path 'router.aliases.agent.targets[1].backend' spark-vllm`,
        `backends.dev-ollama.engine: Invalid discriminator value. Expected 'ollama' | 'vllm' | 'llamacpp'. Fix: pulumi config set --path 'backends.dev-ollama.engine' '<engine>'`,
        `hosts.spark-2.gpus: must be "none", "all" or a list of device ids such as ["0","1"]. Fix: pulumi config set --path 'hosts.spark-2.gpus' '<gpus>'`,
        `router.aliases.micro.targets: an alias needs at least one target. Fix: pulumi config set --path 'router.aliases.micro.targets' '<targets>'`,
        // A secret's fix sets it as a secret, or the fix would itself leave it in plain text.
        `secrets.apiKeys.laptop: an API key must be at least 16 characters. Fix: pulumi config set --secret --path 'secrets.apiKeys.laptop' '<laptop>'`,
        `ingress.domain: Too small: expected string to have >=1 characters. Fix: pulumi config set --path 'ingress.domain' '<domain>'`,
      ].sort(),
    );
  });

  // Each row: an edit that breaks one part, and a problem that must NOT appear because of it.
  const falseConsequences: [string, (c: Tree) => void, RegExp][] = [
    ["a whole section of the wrong type", (c) => edit(c, ["backends"], "none"), /unknown backend/],
    ["hosts missing altogether", (c) => edit(c, ["hosts"], undefined), /unknown host/],
    ["an invalid host", (c) => edit(c, ["hosts", "dev", "sshPort"], -1), /unknown host "dev"/],
    ["a broken router.apiKeys list", (c) => edit(c, ["router", "apiKeys"], "laptop"), /no router\.apiKeys entry/],
    ["a broken router.port", (c) => edit(c, ["router", "port"], "4000"), /already bound by the router/],
    ["an invalid openWebUI", (c) => edit(c, ["openWebUI", "image"], "open-webui"), /no openWebUI is configured/],
    ["secrets of the wrong type", (c) => edit(c, ["secrets"], "x"), /has no secret value/],
  ];

  it.each(falseConsequences)("%s: its own problem, not its consequences", (_case, breakIt, falseOne) => {
    const cfg = home();
    breakIt(cfg);
    const problems = validate(cfg).map(line);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.filter((p) => falseOne.test(p))).toEqual([]);
  });

  it("a port clash is still found when another port in the config is broken", () => {
    const cfg = home();
    edit(cfg, ["router", "port"], "4000");
    edit(cfg, ["kokoro", "port"], 8080);
    expect(validate(cfg).map(line)).toContain(
      `kokoro.port: port 8080 on host "unraid" is already bound by Open WebUI. Fix: pulumi config set --path 'kokoro.port' 8081`,
    );
  });

  it("the RunError from loadStackConfig lists every problem", () => {
    const cfg = home();
    edit(cfg, ["hosts", "dev", "adress"], "x");
    edit(cfg, ["kokoro", "port"], 8080);
    edit(cfg, ["router", "aliases", "coder", "targets", 1, "backend"], "nope");
    installConfig(cfg);
    let err: unknown;
    try {
      loadStackConfig(new pulumi.Config("aistack"));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(pulumi.RunError);
    expect((err as Error).message.split("\n")).toEqual([
      "The stack config has 3 problems:",
      `  - hosts.dev.adress: unknown key "adress". Fix: pulumi config rm --path 'hosts.dev.adress'`,
      `  - kokoro.port: port 8080 on host "unraid" is already bound by Open WebUI. Fix: pulumi config set --path 'kokoro.port' 8081`,
      `  - router.aliases.coder.targets[1].backend: unknown backend "nope"; known: spark-vllm, unraid-ollama, dev-ollama. Fix: pulumi config set --path 'router.aliases.coder.targets[1].backend' spark-vllm`,
    ]);
  });
});

/** Every path to a value below the top-level sections (a section itself included). */
function paths(v: Json, at: Path): Path[] {
  const out = [at];
  if (Array.isArray(v)) v.forEach((c, i) => out.push(...paths(c, [...at, i])));
  else if (v !== null && typeof v === "object") for (const [k, c] of Object.entries(v)) out.push(...paths(c, [...at, k]));
  return out;
}

const ODD_VALUES: Json[] = [
  null,
  true,
  -1,
  0,
  1.5,
  70000,
  "",
  "x",
  "none",
  "all",
  "latest",
  "a b",
  "../../etc/passwd",
  [],
  {},
  ["0"],
  [1, "a"],
  { unknown: 1 },
  "ghcr.io/x/y:latest",
];

interface Mutation {
  at: Path;
  apply: (t: Tree) => void;
}

/** One random change inside one section: delete, replace with an odd value, add an unknown key, rename a key. */
function mutation(base: Tree, section: string, random: () => number): Mutation {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const all = paths(base[section] as Json, [section]);
  const at = pick(all);
  const op = Math.floor(random() * 4);
  const odd = pick(ODD_VALUES);
  const extraKey = pick(["extra", "port", "Hosts", "__proto__x"]);
  const newName = pick(["renamed", "x y", "", "a.b"]);
  return {
    at,
    apply(t) {
      let parent: Json = t;
      for (const k of at.slice(0, -1)) parent = (parent as Record<string | number, Json>)[k] as Json;
      const key = at[at.length - 1] as string | number;
      const p = parent as Record<string | number, Json>;
      const current = p[key];
      if (op === 0 && !Array.isArray(parent)) delete p[key];
      else if (op === 1 && current !== null && typeof current === "object" && !Array.isArray(current)) (current as Record<string, Json>)[extraKey] = odd;
      else if (op === 2 && !Array.isArray(parent) && at.length > 1) {
        delete p[key];
        p[newName] = current as Json;
      } else p[key] = odd;
    },
  };
}

const FIX = /^pulumi config (set (--secret )?--path '|rm )/;

function expectWellFormed(problems: readonly ConfigProblem[]): void {
  for (const p of problems) {
    expect(p.path.length, line(p)).toBeGreaterThan(0);
    expect(p.message.length, line(p)).toBeGreaterThan(0);
    expect(p.fix, line(p)).toMatch(FIX);
  }
}

describe("stack config: seeded random mutations of the home stack", () => {
  const base = home();
  const sections = Object.keys(base);

  it("the base is valid", () => {
    expect(validate(base)).toEqual([]);
  });

  it("300 single mutations: never a throw; valid, or rejected with a path, a message and a fix each", () => {
    const random = prng(7_4_2026);
    let rejected = 0;
    for (let i = 0; i < 300; i++) {
      const m = mutation(base, sections[Math.floor(random() * sections.length)] as string, random);
      const cfg = structuredClone(base);
      m.apply(cfg);
      const problems = validate(cfg);
      if (problems.length) rejected++;
      expectWellFormed(problems);
    }
    // Most random edits of a strict config are wrong; a run where none is rejected tests nothing.
    expect(rejected).toBeGreaterThan(150);
  });

  it("150 runs of 2 to 4 mutations in different sections: each section's own problems are all still reported", () => {
    const random = prng(2026_07);
    let checked = 0;
    for (let i = 0; i < 150; i++) {
      const k = 2 + Math.floor(random() * 3);
      const chosen = [...sections].sort(() => random() - 0.5).slice(0, k);
      const mutations = chosen.map((s) => mutation(base, s, random));
      const cfg = structuredClone(base);
      for (const m of mutations) m.apply(cfg);
      const combined = validate(cfg).map(line);
      expectWellFormed(validate(cfg));
      for (const m of mutations) {
        const alone = structuredClone(base);
        m.apply(alone);
        if (validate(alone).length === 0) continue;
        // A section's schema problems do not depend on the other sections, so the combined run has them all;
        // cross-check findings may rightly change (another mutation can remove what they were about).
        const own = parseByPart(alone).problems.map(line);
        const section = String(m.at[0]);
        for (const p of own) expect(combined, `mutation at ${m.at.join(".")}`).toContain(p);
        if (own.length) {
          checked++;
          expect(
            combined.some((p) => p.startsWith(section)),
            section,
          ).toBe(true);
        }
      }
    }
    // Enough of the mutations were schema errors for the property to have been exercised.
    expect(checked).toBeGreaterThan(150);
  });
});
