// The fakes' command line (tools/fakes/cli.ts).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { json, stopFakes } from "./harness.js";

afterEach(stopFakes);

describe("cli", () => {
  it("prints its URL as one JSON line and stops on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "tools/fakes/cli.ts", "--engine", "ollama", "--port", "0", "--models", "a,b", "--loaded", "a", "--anthropic"],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    try {
      const lines = createInterface({ input: child.stdout });
      const [line] = (await once(lines, "line")) as [string];
      const info = JSON.parse(line) as { url: string; port: number; engine: string };
      expect(info.engine).toBe("ollama");
      expect(info.url).toBe(`http://127.0.0.1:${info.port}`);
      expect(await json(await fetch(`${info.url}/api/version`))).toEqual({ version: "0.17.4" });
      const ps = (await json(await fetch(`${info.url}/api/ps`))).models as { name: string }[];
      expect(ps.map((m) => m.name)).toEqual(["a:latest"]);
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(0);
  });
});
