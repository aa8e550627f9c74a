// No two files of router/ import each other, even through others: the import graph has no cycle. Read
// with the TypeScript compiler's own import scanner (type-only imports count: a cycle of types is still
// two files that cannot be understood one without the other).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** file → the files of the same set it imports (relative specifiers, `.js` written for the `.ts` source). */
function importGraph(sources: ReadonlyMap<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [file, text] of sources) {
    const targets = ts
      .preProcessFile(text, true, false)
      .importedFiles.map((f) => f.fileName)
      .filter((spec) => spec.startsWith("."))
      .map((spec) => resolve(dirname(file), spec).replace(/\.js$/, ".ts"))
      .filter((target) => sources.has(target));
    graph.set(file, targets);
  }
  return graph;
}

/** Every cycle found by a depth-first walk, each as the files on it (the first repeated at the end). */
function cycles(graph: ReadonlyMap<string, string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string): void => {
    const at = path.indexOf(file);
    if (at >= 0) {
      found.push([...path.slice(at), file]);
      return;
    }
    if (done.has(file)) return;
    path.push(file);
    for (const next of graph.get(file) ?? []) visit(next);
    path.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return found;
}

describe("the router's import graph", () => {
  it("has no cycle", () => {
    const files = tsFiles(join(root, "router"));
    const graph = importGraph(new Map(files.map((f) => [f, readFileSync(f, "utf8")])));
    expect(graph.size).toBe(files.length);
    // The graph is read, not empty: request.ts imports the modules of each step.
    expect(graph.get(join(root, "router/request.ts"))?.length).toBeGreaterThan(10);
    expect(cycles(graph).map((c) => c.map((f) => relative(root, f)).join(" -> "))).toEqual([]);
  });

  it("reports two files that import each other through a third", () => {
    const sources = new Map([
      ["/r/a.ts", 'import { b } from "./b.js";\nexport const a = b;\n'],
      ["/r/b.ts", 'import type { C } from "./sub/c.js";\nexport const b = 1 as C;\n'],
      ["/r/sub/c.ts", 'import { a } from "../a.js";\nexport type C = typeof a;\n'],
      ["/r/d.ts", 'import { a } from "./a.js";\nexport const d = a;\n'],
    ]);
    expect(cycles(importGraph(sources))).toEqual([["/r/a.ts", "/r/b.ts", "/r/sub/c.ts", "/r/a.ts"]]);
  });
});
