// Runs a TypeScript entry of the repository as `npm run` does (node + tsx, from the root) and collects
// its exit code and output.
import { spawn } from "node:child_process";
import { root } from "../../infra/harness.js";

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runScript(entry: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], { cwd: root, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
