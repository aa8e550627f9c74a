// Passthrough or translation per backend (faces/anthropic/mode.ts), with the version it reads.
import { describe, expect, it } from "vitest";
import { anthropicMode } from "../../../../router/faces/anthropic/mode.js";

describe("anthropicMode", () => {
  it.each([
    ["auto", "ollama", "0.14.0", "native"],
    ["auto", "ollama", "0.17.4", "native"],
    ["auto", "ollama", "0.13.5", "translate"],
    ["auto", "ollama", undefined, "translate"],
    ["auto", "vllm", "0.11.2", "translate"],
    ["auto", "llamacpp", undefined, "translate"],
    ["native", "vllm", undefined, "native"],
    ["translate", "ollama", "0.17.0", "translate"],
  ] as const)("%s on %s %s → %s", (setting, engine, version, mode) => {
    expect(anthropicMode(setting, engine, version)).toBe(mode);
  });

  it.each([
    ["v0.14.1-rc2", true],
    ["0.14", true],
    ["1.0.0", true],
    ["0.9.9", false],
    ["dev", false],
  ])("an Ollama that reports version %s speaks Messages natively (0.14.0 or later): %s", (v, ok) => {
    expect(anthropicMode("auto", "ollama", v)).toBe(ok ? "native" : "translate");
  });
});
