// The pure parts of the real-engine suite's preparation (scripts/e2e-infra): reading apt's Debian
// source for debootstrap, and the replace directives the Pulumi CLI's wrapper module repeats.
import { describe, expect, it } from "vitest";
import { debianSource } from "../../../scripts/lib/images.js";
import { remoteReplaces } from "../../../scripts/e2e-infra/toolchain.js";

describe("debianSource", () => {
  it("reads a deb822 .sources file and skips the -updates and -security suites", () => {
    const text = [
      "Types: deb",
      "URIs: http://mirror.example/debian",
      "Suites: bookworm bookworm-updates",
      "Components: main",
      "",
      "Types: deb",
      "URIs: http://mirror.example/debian-security",
      "Suites: bookworm-security",
    ].join("\n");
    expect(debianSource([{ name: "debian.sources", text }])).toEqual({ uri: "http://mirror.example/debian", suite: "bookworm" });
  });

  it("reads a one-line sources.list, options included, and ignores deb-src and other files", () => {
    const text = ["# comment", "deb-src http://mirror.example/debian bookworm main", "deb [arch=amd64] http://mirror.example/debian trixie main"].join("\n");
    expect(
      debianSource([
        { name: "google.list.disabled", text: "deb http://x/ y main" },
        { name: "sources.list", text },
      ]),
    ).toEqual({ uri: "http://mirror.example/debian", suite: "trixie" });
  });

  it("finds nothing without a deb source", () => {
    expect(debianSource([{ name: "x.sources", text: "Types: deb-src\nURIs: http://m/\nSuites: bookworm" }])).toBeUndefined();
  });
});

describe("remoteReplaces", () => {
  it("keeps replaces that point at other modules and drops local paths, in blocks and single lines", () => {
    const goMod = [
      "module github.com/pulumi/pulumi/pkg/v3",
      "replace github.com/pulumi/pulumi/sdk/v3 => ../sdk",
      "replace (",
      "\tgithub.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e // fork",
      "\tgithub.com/x/y => ./y",
      ")",
      "replace github.com/a/b v1.0.0 => github.com/c/b v1.0.1",
    ].join("\n");
    expect(remoteReplaces(goMod)).toEqual([
      "github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e",
      "github.com/a/b v1.0.0 => github.com/c/b v1.0.1",
    ]);
  });
});
