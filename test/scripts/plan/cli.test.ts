// The CLI end to end, in a temp git repo holding a copy of the project: a base ref rendered in a
// child process from its own tree, a stack that did not exist at the base, and the error exits.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { root } from "../../infra/harness.js";

/** The entry `npm run plan` runs (`tsx <entry>`). */
const cli = join(root, (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: { plan: string } }).scripts.plan.replace(/^tsx /, ""));
let repo = "";

function git(...args: string[]): void {
  execFileSync("git", ["-c", "user.name=plan", "-c", "user.email=plan@example.invalid", ...args], { cwd: repo, stdio: "ignore" });
}

function plan(...args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", cli, ...args], { cwd: repo, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "aistack-plan-test-"));
  for (const p of ["Pulumi.yaml", "package.json", "tsconfig.json", "infra", "router", "stacks"]) cpSync(join(root, p), join(repo, p), { recursive: true });
  symlinkSync(join(root, "node_modules"), join(repo, "node_modules"), "dir");
  writeFileSync(join(repo, ".gitignore"), "node_modules\nout/\n");
  // The base: the home stack as it is, no local stack yet.
  const local = readFileSync(join(repo, "stacks/Pulumi.local.yaml"), "utf8");
  rmSync(join(repo, "stacks/Pulumi.local.yaml"));
  git("init", "-q");
  git("add", "-A");
  git("commit", "-q", "-m", "base");
  // The head: coder repointed to one target, and the local stack added.
  const home = readFileSync(join(repo, "stacks/Pulumi.home.yaml"), "utf8");
  const repointed = home.replace(/( {6}coder:\n {8}targets:\n)(?: {10}- .*\n)+/, "$1          - { backend: unraid-ollama, model: Qwen3.5-27b }\n");
  expect(repointed).not.toBe(home);
  writeFileSync(join(repo, "stacks/Pulumi.home.yaml"), repointed);
  writeFileSync(join(repo, "stacks/Pulumi.local.yaml"), local);
  git("add", "-A");
  git("commit", "-q", "-m", "head");
}, 60_000);

afterAll(() => {
  if (repo) rmSync(repo, { recursive: true, force: true });
});

describe("npm run plan", () => {
  it("renders the base ref's stack and puts the alias change and the replacement verdict first", () => {
    const r = plan("--stack", "home", "--base", "HEAD~1", "--out", "out/home.md", "--changed-only", "--fail-on-replace");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const lines = readFileSync(join(repo, "out/home.md"), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "");
    expect(lines[3]).toBe("- `coder: MiniMax-M2.5 @ spark-vllm, qwen3-coder:30b @ dev-ollama → Qwen3.5-27b @ unraid-ollama`");
    expect(lines[5]).toBe("No container replaced.");
  }, 60_000);

  it("calls a stack missing at the base a new stack, and an unchanged stack writes nothing", () => {
    expect(plan("--stack", "local", "--base", "HEAD~1", "--out", "out/local.md", "--changed-only").status).toBe(0);
    const report = readFileSync(join(repo, "out/local.md"), "utf8");
    expect(report).toContain("**New stack**: `local` does not exist at `HEAD~1`");
    expect(report).toContain("- `micro: (none) → qwen3:0.6b @ local-ollama`");
    const same = plan("--stack", "home", "--base", "HEAD", "--out", "out/same.md", "--changed-only");
    expect(same.status).toBe(0);
    expect(existsSync(join(repo, "out/same.md"))).toBe(false);
  }, 60_000);

  it.each([
    [["--stack", "nope"], /unknown stack "nope"; known stacks: home, local/],
    [["--stack", "home", "--base", "no-such-ref"], /unknown git ref "no-such-ref"/],
    [["--stack"], /--stack/],
  ])(
    "exits 2 with a clear message for %j",
    (args, message) => {
      const r = plan(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
    30_000,
  );
});
