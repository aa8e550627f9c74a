import type { KnipConfig } from "knip";

/**
 * `npm run lint` runs knip twice: over everything (an export nothing imports), then with
 * `--production`, where only files marked `!` count as users, so an export of `router/` or
 * `infra/` that only tests import is reported too. scripts/ and tools/ use router/ and infra/ as
 * production does (the npm run tools), but their own exports serve tests by design: in production
 * mode their issues are not reported.
 */
const production = process.argv.includes("--production");

const config: KnipConfig = {
  entry: [
    "scripts/*/main.ts!",
    "scripts/plan/capture-child.ts",
    "scripts/bench/upstream.ts",
    "scripts/bench/profile.ts",
    "tools/fakes/cli.ts",
    "test/**/*.test.ts",
    "scripts/lab/standin/*.ts",
    "scripts/lab/gc.ts",
  ],
  project: ["infra/**/*.ts!", "router/**/*.ts!", "scripts/**/*.ts!", "tools/**/*.ts!", "test/**/*.ts"],
  vitest: {
    config: ["vitest.config.ts", "test/e2e/vitest.config.ts", "test/e2e-infra/vitest.config.ts", "test/e2e-lab/vitest.config.ts"],
  },
  ignoreBinaries: ["wrk", "go", "mkfifo"],
  ...(production ? { ignoreIssues: { "scripts/**": ["files", "exports", "types"], "tools/**": ["files", "exports", "types"] } } : {}),
};

export default config;
