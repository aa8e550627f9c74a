// The same stack at another git ref: the ref's tree is extracted to a temp dir (git archive, so the
// working tree and index are never touched), node_modules is linked in, and the capture runs in a
// child process so the ref's own program code is what runs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { start } from "../lib/child.js";
import { PlanError, parseProjectFile } from "./stackFile.js";
import { emptyCapture, type Capture } from "./types.js";

function git(root: string, args: string[]): string | undefined {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

/** The top of the git work tree holding `dir`, or undefined outside one. */
export function repoRoot(dir: string): string | undefined {
  return git(dir, ["rev-parse", "--show-toplevel"]);
}

export function resolveCommit(root: string, ref: string): string {
  const commit = git(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
  if (!commit) throw new PlanError(`unknown git ref "${ref}" (try a branch, tag or commit, e.g. origin/main)`);
  return commit;
}

function existsAt(root: string, commit: string, path: string): boolean {
  return git(root, ["cat-file", "-e", `${commit}:${path}`]) !== undefined;
}

/** Whether the stack and a program to run it exist at the commit. */
function stackExistsAt(root: string, commit: string, stack: string): boolean {
  const text = git(root, ["show", `${commit}:Pulumi.yaml`]);
  if (text === undefined) return false;
  const project = parseProjectFile(text);
  const stackFile = posix.normalize(posix.join(project.stackConfigDir, `Pulumi.${stack}.yaml`));
  const main = posix.normalize(project.main);
  return existsAt(root, commit, stackFile) && (existsAt(root, commit, main) || existsAt(root, commit, posix.join(main, "index.ts")));
}

const captureChild = fileURLToPath(new URL("./capture-child.ts", import.meta.url));

/** Runs the capture child to its end; its output's tail (bounded: only the end matters) for the message. */
async function runChild(cwd: string, args: string[]): Promise<{ code: number; output: string }> {
  const child = start(process.execPath, ["--import", "tsx", captureChild, ...args], { cwd });
  const { code } = await child.exited;
  await child.closed;
  await child.stop();
  return { code: code ?? 1, output: child.output() };
}

/** Captures `stack` as of `commit`; an absent stack (or program) is an empty capture. */
export async function captureAt(root: string, commit: string, stack: string, ref: string): Promise<Capture> {
  if (!stackExistsAt(root, commit, stack)) return emptyCapture(stack);
  const dir = mkdtempSync(join(tmpdir(), "aistack-plan-"));
  try {
    const tree = join(dir, "tree");
    const tar = join(dir, "tree.tar");
    execFileSync("git", ["archive", "--format=tar", "--prefix=tree/", "-o", tar, commit], { cwd: root, stdio: "ignore" });
    execFileSync("tar", ["-xf", tar, "-C", dir], { stdio: "ignore" });
    symlinkSync(join(root, "node_modules"), join(tree, "node_modules"), "dir");
    const json = join(dir, "capture.json");
    const { code, output } = await runChild(tree, ["--root", tree, "--stack", stack, "--json", json]);
    if (code !== 0) {
      const reason = output.trim().split("\n").slice(-20).join("\n") || `exit code ${code}`;
      throw new PlanError(`could not render stack "${stack}" at ${ref}:\n${reason}`);
    }
    return JSON.parse(readFileSync(json, "utf8")) as Capture;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
