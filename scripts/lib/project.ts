// A copy of this Pulumi project in a temp dir, with its own stack file, state backend and Pulumi home,
// so the real-engine suites (e2e:infra, e2e:lab) never write into the repository and never touch the
// user's stacks or ~/.pulumi; and the tiny models they put into an Ollama volume before `pulumi up`.

import { execFile, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "../e2e/router.js";
import { encodeGguf } from "../e2e/gguf.js";
import { tinyModelfile } from "../e2e/ollama-serve.js";
import { DEFAULT_TINY_MODEL, tinyLlamaModel } from "../e2e/tiny-model.js";

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
export function pulumiRunner(
  cli: string,
  project: string,
  stateDir: string,
  home: string,
  extraEnv: NodeJS.ProcessEnv = {},
  passphrase = "aistack-e2e-infra",
): PulumiRunner {
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(home, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${dirname(cli)}:${process.env.PATH ?? ""}`,
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_HOME: home,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    NO_COLOR: "1",
    ...extraEnv,
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
            const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
        if (opts.input !== undefined) child.stdin?.end(opts.input);
      });
    },
  };
}

/**
 * Creates tiny GGUF models (npm run e2e's) under `names` in an Ollama model volume, with a one-off
 * container of `image` (`ollama create` against a server started inside it): no registry is reachable,
 * so the program's model resources must find them present. `dir` must be visible to the Docker engine.
 */
export function seedOllamaModels(docker: (args: string[]) => string, image: string, volume: string, dir: string, names: readonly string[], seed = 2000): void {
  mkdirSync(dir, { recursive: true });
  const creates: string[] = [];
  for (const [i, name] of names.entries()) {
    const file = `model-${i}`;
    writeFileSync(join(dir, `${file}.gguf`), encodeGguf(tinyLlamaModel({ ...DEFAULT_TINY_MODEL, seed: seed + i, name })));
    writeFileSync(join(dir, `${file}.Modelfile`), tinyModelfile(`/gguf/${file}.gguf`));
    creates.push(`ollama create '${name}' -f /gguf/${file}.Modelfile`);
  }
  docker(["volume", "create", volume]);
  docker([
    "run",
    "--rm",
    "-v",
    `${volume}:/root/.ollama`,
    "-v",
    `${dir}:/gguf:ro`,
    "--entrypoint",
    "/bin/sh",
    image,
    "-c",
    `ollama serve >/tmp/serve.log 2>&1 & until ollama list >/dev/null 2>&1; do sleep 0.2; done; ${creates.join(" && ")}`,
  ]);
}
