import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

// The end-to-end suite: run by `npm run e2e`, which starts the real engine first and passes its
// address in the environment. Files run one after another, in order, against one engine whose
// load state they observe, so nothing here runs in parallel. (It lives here rather than at the
// top level so that it is inside the TypeScript project that type-aware lint checks.)
export default defineConfig({
  root: resolve(import.meta.dirname, "..", ".."),
  test: {
    include: ["test/e2e/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
