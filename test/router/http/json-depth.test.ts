import { describe, expect, it } from "vitest";
import { nestedDeeperThan } from "../../../router/http/json-depth.js";

function nest(depth: number, key: string): string {
  return `${`{"${key}":`.repeat(depth)}1${"}".repeat(depth)}`;
}

// The depth check runs on every request without recursion or per-object arrays; it must still see
// every own key JSON.parse made, including one named __proto__.
describe("nestedDeeperThan", () => {
  const cases: [string, string, number, boolean][] = [
    ["a scalar", "1", 0, false],
    ["an empty object at its limit", "{}", 0, true],
    ["objects within the limit", nest(3, "a"), 3, false],
    ["objects beyond the limit", nest(4, "a"), 3, true],
    ["arrays beyond the limit", "[[[[1]]]]", 3, true],
    ["arrays within the limit", "[[[1]]]", 3, false],
    ["a deep own __proto__ key", nest(10, "__proto__"), 5, true],
    ["a deep branch after a shallow one", `{"a":1,"b":[2],"c":${nest(6, "x")}}`, 5, true],
  ];
  it.each(cases)("%s", (_name, text, limit, deeper) => {
    expect(nestedDeeperThan(JSON.parse(text), limit)).toBe(deeper);
  });
});
