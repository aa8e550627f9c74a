// Which of serve's children the trap stops: only a runner that loads a model.

import { describe, expect, it } from "vitest";
import { isModelRunner, parseCmdline } from "./runner-trap.js";

describe("isModelRunner", () => {
  // Command lines as the engine logged them ("starting runner" lines in its log).
  it.each([
    ["a model runner (llama.cpp engine)", "/c/ollama\0runner\0--model\0/m/blobs/sha256-ab\0--port\x0033551\0", true],
    ["a model runner (Ollama's engine)", "/c/ollama\0runner\0--ollama-engine\0--model\0/m/blobs/sha256-ab\0--port\x001\0", true],
    ["a device-discovery runner, started at serve's start", "/c/ollama\0runner\0--ollama-engine\0--port\x0046837\0", false],
    ["serve itself, between fork and exec", "/c/ollama\0serve\0", false],
    ["a process that has gone (empty cmdline)", "", false],
  ])("%s", (_what, raw, expected) => {
    expect(isModelRunner(parseCmdline(raw))).toBe(expected);
  });
});
