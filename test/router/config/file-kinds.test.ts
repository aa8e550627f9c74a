// A config path that is not a regular file (a FIFO for a moment, a directory) is a rejected reload
// with the reason on /status, never a read that blocks the reloads after it: the next edit and the
// next SIGHUP-style reload still apply.
import { execFileSync } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { fastHealth } from "../harness.js";
import { watchedRouter } from "./watched.js";

describe("a config path that is not a regular file", () => {
  it("is rejected with a reason, and later reloads still work", { timeout: 20_000 }, async () => {
    const w = await watchedRouter();
    const { vllm, run, file, watcher } = w;
    const valid = (description: string): string =>
      JSON.stringify({
        health: fastHealth,
        backends: { a: { engine: "vllm", url: vllm.url } },
        aliases: { coder: { description, targets: [{ backend: "a", model: "m" }] } },
      });
    try {
      execFileSync("mkfifo", [file]);
      await watcher.reload();
      const status = (await (await fetch(`${run.url}/status.json`)).json()) as { config: { rejected: { problems: { message: string }[] } | null } };
      expect(status.config.rejected?.problems[0]?.message).toContain("is a FIFO, not a regular file");

      await rm(file);
      await mkdir(file);
      await watcher.reload();
      expect(run.logs.join("\n")).toContain("is a directory, not a regular file");

      await rm(file, { recursive: true });
      await writeFile(file, valid("after the fifo"));
      await watcher.reload();
      expect(run.router.config.aliases.coder?.description).toBe("after the fifo");
      expect((await fetch(`${run.url}/healthz`)).status).toBe(200);
    } finally {
      await w.close();
    }
  });
});
