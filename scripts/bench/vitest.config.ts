// The harness's own tests; the root config only collects test/.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["scripts/bench/**/*.test.ts"], pool: "forks" },
});
