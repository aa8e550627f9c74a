import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

// The lab suite: run by `npm run e2e:lab`, which stands the lab up first (and takes it down after).
// One file, its steps in order (each builds on the stack state the previous one left).
export default defineConfig({
  root: resolve(import.meta.dirname, "..", ".."),
  test: {
    include: ["test/e2e-lab/**/*.test.ts"],
    testTimeout: 40 * 60_000,
    hookTimeout: 20 * 60_000,
    pool: "forks",
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
