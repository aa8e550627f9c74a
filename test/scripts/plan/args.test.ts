import { describe, expect, it } from "vitest";
import { parsePlanArgs } from "../../../scripts/plan/args.js";

describe("plan arguments", () => {
  it.each([
    [["--stack", "home"], { kind: "run", options: { stack: "home", changedOnly: false, failOnReplace: false } }],
    [
      ["--stack", "home", "--base", "origin/main", "--out", "plan-out/home.md", "--changed-only", "--fail-on-replace"],
      { kind: "run", options: { stack: "home", base: "origin/main", out: "plan-out/home.md", changedOnly: true, failOnReplace: true } },
    ],
    [["--help"], { kind: "help" }],
    [["-h", "--stack", "x"], { kind: "help" }],
  ])("%j", (argv, expected) => {
    expect(parsePlanArgs(argv)).toEqual(expected);
  });

  it.each([
    [[]],
    [["--stack"]],
    [["--stack", "../etc"]],
    [["--stack", "home", "--bogus"]],
    [["--stack", "home", "extra"]],
    [["--stack", "home", "--base", ""]],
  ])("%j is a usage error", (argv) => {
    expect(parsePlanArgs(argv).kind).toBe("error");
  });
});
