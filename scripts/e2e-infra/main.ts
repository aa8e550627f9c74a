// npm run e2e:infra [-- <vitest args>]
//
// The Pulumi program against a real engine: the Pulumi CLI with the Node.js language host and the docker
// and command providers, on the local Docker engine and loopback only. Prepares what the suite needs
// (the CLI, Ollama, the images; all cached outside the repository), then runs test/e2e-infra/.
// Skipped, with one line saying why and exit code 0, where the plugins or a Docker engine are missing.
//
// Knobs: AISTACK_E2E_CACHE (cache root, shared with npm run e2e), AISTACK_E2E_KEEP=1 (keep the temp dir).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { e2eCacheDir, ensureOllama } from "../e2e/ollama.js";
import { runBounded, runMain, stopAll } from "../lib/child.js";
import { REPO_ROOT } from "../e2e/router.js";
import { ensureImages } from "../lib/images.js";
import { copyProject } from "../lib/project.js";
import { ensurePulumiCli, missingPrerequisite, say } from "./toolchain.js";

const SUITE_TIMEOUT_MS = 45 * 60_000;

async function main(): Promise<number> {
  const missing = missingPrerequisite();
  if (missing) {
    process.stdout.write(`e2e:infra skipped: ${missing}\n`);
    return 0;
  }
  const cache = join(e2eCacheDir(), "infra");
  const pulumi = await ensurePulumiCli(cache);
  const ollama = await ensureOllama();
  const images = await ensureImages({ env: process.env, say }, cache, ollama.binary, ollama.version);
  const workDir = mkdtempSync(join(tmpdir(), "aistack-e2e-infra-"));
  let ok = false;
  try {
    copyProject(join(workDir, "project"));
    say(`pulumi ${pulumi}; project copy in ${join(workDir, "project")}`);
    const vitest = join(REPO_ROOT, "node_modules", "vitest", "vitest.mjs");
    const result = await runBounded(process.execPath, [vitest, "run", "-c", join("test", "e2e-infra", "vitest.config.ts"), ...process.argv.slice(2)], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        AISTACK_INFRA_PULUMI: pulumi,
        AISTACK_INFRA_WORKDIR: workDir,
        AISTACK_INFRA_OLLAMA_IMAGE: images.ollama,
        AISTACK_INFRA_NODE_BASE: images.nodeBase,
      },
      timeoutMs: SUITE_TIMEOUT_MS,
    });
    ok = result.code === 0 && !result.timedOut;
    return ok ? 0 : 1;
  } finally {
    await stopAll();
    if (ok && process.env.AISTACK_E2E_KEEP !== "1") rmSync(workDir, { recursive: true, force: true });
    else say(`kept ${workDir} (pulumi logs and outputs are in it)`);
  }
}

runMain(main, say);
