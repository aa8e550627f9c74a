// The fault knob: which requests a fault applies to and how many it has left.

import type { FaultSpec } from "./types.js";

/** Paths where an engine generates or embeds; faults apply only here unless told otherwise. */
const INFERENCE_PATHS = new Set([
  "/v1/chat/completions",
  "/v1/completions",
  "/v1/embeddings",
  "/v1/messages",
  "/api/chat",
  "/api/generate",
  "/api/embed",
  "/api/embeddings",
]);

export class FaultState {
  private spec: FaultSpec = { mode: "ok" };
  private remaining = Infinity;

  set(spec: FaultSpec): void {
    this.spec = { ...spec };
    this.remaining = spec.mode === "status" && spec.statusCount !== undefined ? spec.statusCount : Infinity;
  }

  clear(): void {
    this.set({ mode: "ok" });
  }

  current(): FaultSpec {
    return { ...this.spec };
  }

  /** The fault to apply to a request on this path, consuming one of a limited status fault. */
  take(path: string): FaultSpec | undefined {
    const spec = this.spec;
    if (spec.mode === "ok" || spec.mode === "refuse") return undefined;
    const applies = spec.paths ? spec.paths.includes(path) : INFERENCE_PATHS.has(path);
    if (!applies) return undefined;
    if (spec.mode === "status") {
      if (this.remaining <= 0) return undefined;
      this.remaining -= 1;
      if (this.remaining <= 0) this.spec = { mode: "ok" };
    }
    return spec;
  }
}
