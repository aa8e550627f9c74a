// A one-line alias repoint: the reviewer sees the alias's old and new targets first, and that no
// container is replaced; only the config-delivery resources change.
import { describe, expect, it } from "vitest";
import { diffCaptures, disruptiveReplacements } from "../../../scripts/plan/diff.js";
import { renderReport } from "../../../scripts/plan/report.js";
import type { Json } from "../../../scripts/plan/types.js";
import { capture, configOf } from "./fixtures.js";

type Aliases = Record<string, { targets: { backend: string; model: string }[] }>;

function withAliases(edit: (a: Aliases) => void) {
  const config = configOf("home");
  const router = structuredClone(config.values.router) as { aliases: Aliases };
  edit(router.aliases);
  return { ...config, values: { ...config.values, router: router as unknown as Json } };
}

const base = { ref: "origin/main", commit: "0123456789ab" };

describe("repointing coder in the home stack", () => {
  it("puts the arrow line and 'No container replaced.' first", async () => {
    const before = await capture("home");
    const after = await capture(
      "home",
      withAliases((a) => {
        a.coder = { targets: [{ backend: "unraid-ollama", model: "Qwen3.5-27b" }] };
      }),
    );
    const diff = diffCaptures(before, after);
    const report = renderReport(after, diff, base, before);
    const lines = report.split("\n").filter((l) => l.trim() !== "");
    expect(lines.slice(0, 7)).toEqual([
      "# Plan: stack `home`",
      "Compared with `origin/main` (`0123456789ab`).",
      "## Alias changes",
      "- `coder: MiniMax-M2.5 @ spark-vllm, qwen3-coder:30b @ dev-ollama → Qwen3.5-27b @ unraid-ollama`",
      "## Replacements",
      "No container replaced.",
      "Also replaced (nothing restarts):",
    ]);
    expect(disruptiveReplacements(diff)).toEqual([]);
    expect(diff.resources.map((r) => `${r.kind} ${r.type} ${r.name}`)).toEqual([
      "changed command:remote:Command router-dev-config",
      "changed command:remote:Command router-unraid-config",
    ]);
    expect(diff.resources.every((r) => r.changed.join() === "stdin,triggers" && r.replacing.join() === "triggers")).toBe(true);
    expect(diff.outputs).toEqual(["routerConfigs"]);
    expect(report).not.toContain("REPLACES");
  });

  it("writes a single-target repoint exactly as the reviewer expects", async () => {
    const config = withAliases((a) => {
      a.coder = { targets: [{ backend: "spark-vllm", model: "MiniMax-M2.5" }] };
    });
    const before = await capture("home", config);
    const after = await capture(
      "home",
      withAliases((a) => {
        a.coder = { targets: [{ backend: "unraid-ollama", model: "Qwen3.5-27b" }] };
      }),
    );
    const report = renderReport(after, diffCaptures(before, after), base, before);
    expect(report).toContain("- `coder: MiniMax-M2.5 @ spark-vllm → Qwen3.5-27b @ unraid-ollama`\n");
  });

  it("shows added and removed aliases, and a reordered target list", async () => {
    const before = await capture("home");
    const after = await capture(
      "home",
      withAliases((a) => {
        a.fast = { targets: [{ backend: "dev-ollama", model: "Qwen3.5-27b" }] };
        delete a.agent;
        a.micro = { targets: [...(a.micro?.targets ?? [])].reverse() };
      }),
    );
    const diff = diffCaptures(before, after);
    const report = renderReport(after, diff, base, before);
    expect(report).toContain("- `agent: MiniMax-M2.5 @ spark-vllm, Qwen3.5-27b @ unraid-ollama → (removed)`");
    expect(report).toContain("- `fast: (none) → Qwen3.5-27b @ dev-ollama`");
    expect(report).toContain("- `micro: Qwen3.5-27b @ unraid-ollama, Qwen3.5-27b @ dev-ollama → Qwen3.5-27b @ dev-ollama, Qwen3.5-27b @ unraid-ollama`");
    expect(disruptiveReplacements(diff)).toEqual([]);
  });
});
