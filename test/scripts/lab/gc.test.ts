// The lab's stand-in garbage collector (scripts/lab/gc.ts) must sweep every kind the home stack puts in
// its namespace: an object of a kind it does not list keeps its foregroundDeletion finalizer, and
// `pulumi destroy` waits for it forever (e2e:lab check 7).
import { describe, expect, it } from "vitest";
import { GC_LISTS } from "../../../scripts/lab/gc-kinds.js";
import { readStackFile, runProgram, withSecrets } from "../../infra/harness.js";

/** `kubernetes:traefik.io/v1alpha1:Middleware` → `/apis/traefik.io/v1alpha1/middlewares`. */
function listPath(type: string): string {
  const [, groupVersion = "", kind = ""] = type.split(":");
  const base = groupVersion.startsWith("core/") ? `/api/${groupVersion.slice("core/".length)}` : `/apis/${groupVersion}`;
  return `${base}/${kind.toLowerCase()}s`;
}

describe("lab garbage collector", () => {
  it("lists every namespaced kind the home stack creates", async () => {
    const run = await runProgram(withSecrets(readStackFile("home")));
    const kinds = new Set(run.resources.map((r) => r.type).filter((t) => t.startsWith("kubernetes:") && t !== "kubernetes:core/v1:Namespace"));
    expect(kinds.size).toBeGreaterThanOrEqual(4);
    for (const t of kinds) expect(GC_LISTS, t).toContain(listPath(t));
  });
});
