import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

// The real-engine infra suite: run by `npm run e2e:infra`, which prepares the CLI and the images first.
// One file, its steps in order (each builds on the stack state the previous one left).
export default defineConfig({
  root: resolve(import.meta.dirname, "..", ".."),
  test: {
    include: ["test/e2e-infra/**/*.test.ts"],
    testTimeout: 20 * 60_000,
    hookTimeout: 20 * 60_000,
    pool: "forks",
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
