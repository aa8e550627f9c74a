// npm run e2e:lab [-- <vitest args>]
//
// The home stack on a lab of SSH hosts, a Kubernetes API server and Traefik on this machine (docs/lab.md):
// stands a fresh lab up (npm run lab -- up), runs test/e2e-lab/ against it, and takes it down again.
// Skipped, with one line saying why and exit code 0, where the Pulumi plugins are missing or not root.
//
// Knobs: AISTACK_LAB_KEEP=1 leaves the lab standing afterwards (npm run lab -- down removes it).

import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../e2e/router.js";
import { runBounded } from "../lib/child.js";
import { labDown } from "../lab/hosts.js";
import { labDir } from "../lab/layout.js";
import { say } from "../lab/sys.js";
import { labCacheDir, missingLabPrerequisite } from "../lab/toolchain.js";
import { labUp, needsRoot } from "../lab/up.js";

/** Inside CI's 90 minutes, after the other suites. */
const SUITE_TIMEOUT_MS = 50 * 60_000;

async function main(): Promise<number> {
  const missing = needsRoot() ?? missingLabPrerequisite();
  if (missing) {
    process.stdout.write(`e2e:lab skipped: ${missing}\n`);
    return 0;
  }
  const dir = labDir();
  let ok = false;
  try {
    const info = await labUp(dir);
    say(`lab up: Traefik at ${info.traefikUrl} (${info.domain}), project copy in ${info.workDir}`);
    const vitest = join(REPO_ROOT, "node_modules", "vitest", "vitest.mjs");
    const result = await runBounded(process.execPath, [vitest, "run", "-c", join("test", "e2e-lab", "vitest.config.ts"), ...process.argv.slice(2)], {
      cwd: REPO_ROOT,
      env: { ...process.env, AISTACK_LAB_INFO: join(dir, "lab.json") },
      timeoutMs: SUITE_TIMEOUT_MS,
    });
    ok = result.code === 0 && !result.timedOut;
    return ok ? 0 : 1;
  } finally {
    const log = join(dir, "e2e-lab-output.log");
    if (existsSync(log)) {
      copyFileSync(log, join(labCacheDir(), "e2e-lab-last-output.log"));
      say(`pulumi output of this run: ${join(labCacheDir(), "e2e-lab-last-output.log")}`);
    }
    if (process.env.AISTACK_LAB_KEEP === "1") say("the lab stands (AISTACK_LAB_KEEP=1): npm run lab -- down removes it");
    else {
      if (!ok) say("failed: the lab's logs (daemons, Traefik's access log, pulumi output) are removed with it; AISTACK_LAB_KEEP=1 keeps them");
      await labDown(dir);
    }
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(`failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
