// A copy of this Pulumi project in a temp dir, with its own stack file, state backend and Pulumi home,
// so the suite never writes into the repository and never touches the user's stacks or ~/.pulumi.

import { execFile, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "../e2e/router.js";

/** Copies the files git knows (tracked, or new and not ignored) and links node_modules. */
export function copyProject(dest: string): void {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO_ROOT, encoding: "utf8" })
    .split("\0")
    .filter(Boolean);
  for (const f of files) {
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    try {
      cpSync(join(REPO_ROOT, f), join(dest, f));
    } catch {
      // deleted in the work tree but still in the index
    }
  }
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dest, "node_modules"));
}

export interface PulumiResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface PulumiRunner {
  project: string;
  env: NodeJS.ProcessEnv;
  run(args: string[], opts?: { timeoutMs?: number; input?: string }): Promise<PulumiResult>;
}

/** A `pulumi` bound to a project dir, a file:// backend and a passphrase secrets provider, non-interactive. */
export function pulumiRunner(cli: string, project: string, stateDir: string, home: string): PulumiRunner {
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(home, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${dirname(cli)}:${process.env.PATH ?? ""}`,
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_HOME: home,
    PULUMI_CONFIG_PASSPHRASE: "aistack-e2e-infra",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    NO_COLOR: "1",
  };
  return {
    project,
    env,
    run(args, opts = {}) {
      return new Promise((resolve) => {
        const child = execFile(
          cli,
          [...args, "--non-interactive"],
          { cwd: project, env, maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 15 * 60_000 },
          (err, stdout, stderr) => {
            const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : 1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
        if (opts.input !== undefined) child.stdin?.end(opts.input);
      });
    },
  };
}
