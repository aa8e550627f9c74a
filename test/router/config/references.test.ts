// The references between a router file's sections, the check the stack config's cross-checks share
// (infra/config/checks.ts `references`; its table is in test/infra/config/checks.test.ts).
import { describe, expect, it } from "vitest";
import { parseRouterConfig, referenceProblems } from "../../../router/config/schema.js";

type ReferenceSections = Parameters<typeof referenceProblems>[0];

const sha256 = "a".repeat(64);
const sections: ReferenceSections = {
  backends: { a: { engine: "vllm", url: "http://127.0.0.1:1" } },
  aliases: { coder: { targets: [{ backend: "a", model: "m" }] }, chat: { targets: [{ backend: "a", model: "m" }] } },
  apiKeys: [{ name: "k", sha256, aliases: ["coder"] }],
};

describe("referenceProblems", () => {
  it.each<[string, ReferenceSections, { path: (string | number)[]; message: string; suggestion: string }[]]>([
    ["none in a consistent file", sections, []],
    [
      "a target naming an unknown backend, also an Object member's name",
      {
        ...sections,
        aliases: {
          coder: {
            targets: [
              { backend: "b", model: "m" },
              { backend: "constructor", model: "m" },
            ],
          },
        },
      },
      [
        { path: ["aliases", "coder", "targets", 0, "backend"], message: 'unknown backend "b"; known: a', suggestion: "a" },
        { path: ["aliases", "coder", "targets", 1, "backend"], message: 'unknown backend "constructor"; known: a', suggestion: "a" },
      ],
    ],
    [
      "a target when there are no backends",
      { ...sections, backends: {}, aliases: { coder: { targets: [{ backend: "a", model: "m" }] } } },
      [{ path: ["aliases", "coder", "targets", 0, "backend"], message: 'unknown backend "a"; known: (none)', suggestion: "<backend>" }],
    ],
    ["nothing into a section that is not an object", { ...sections, backends: "a", apiKeys: [{ name: "k", aliases: ["x"] }], aliases: [] }, []],
    [
      "a key name used twice, a scope and a Claude family naming unknown aliases",
      {
        ...sections,
        apiKeys: [
          { name: "k", sha256, aliases: ["ghost"] },
          { name: "k", sha256 },
        ],
        claudeModels: { haiku: "tiny" },
      },
      [
        { path: ["apiKeys", 0, "aliases", 0], message: 'unknown alias "ghost"; known: coder, chat', suggestion: "coder" },
        { path: ["apiKeys", 1, "name"], message: 'duplicate key name "k"', suggestion: "k-2" },
        { path: ["claudeModels", "haiku"], message: 'unknown alias "tiny"; known: coder, chat', suggestion: "coder" },
      ],
    ],
  ])("%s", (_case, input, expected) => {
    expect(referenceProblems(input)).toEqual(expected);
  });

  it("takes the names it is told are present as present", () => {
    const input = { ...sections, aliases: { coder: { targets: [{ backend: "b", model: "m" }] } }, claudeModels: { haiku: "elsewhere" } };
    expect(referenceProblems(input, { backend: (n) => n === "b", alias: (n) => n === "elsewhere" })).toEqual([]);
  });

  it("reports them in the router's parse at rendered paths", () => {
    const r = parseRouterConfig({ ...sections, claudeModels: { opus: "big" } });
    expect(r.ok ? [] : r.problems).toEqual([{ path: "claudeModels.opus", message: 'unknown alias "big"; known: coder, chat' }]);
  });
});
