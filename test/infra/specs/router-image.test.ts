// The router container's command is passed to the image's ENTRYPOINT, so the two must agree: the
// image runs `node dist/router/main.js`, the stack adds only the router's own options.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { validateStackConfig } from "../../../infra/config/load.js";
import { routerSpecs } from "../../../infra/specs/router.js";
import { byType, readStackFile, runProgram, testHome, withSecrets } from "../harness.js";

function entrypoint(): string[] {
  const text = readFileSync(new URL("../../../router/Dockerfile", import.meta.url), "utf8");
  const line = text.split("\n").find((l) => l.startsWith("ENTRYPOINT "));
  if (!line) throw new Error("router/Dockerfile has no ENTRYPOINT");
  return JSON.parse(line.slice("ENTRYPOINT ".length)) as string[];
}

// The options router/main.ts accepts (parseArgs strict: anything else, a positional included, exits 2).
const routerOptions = new Set(["--config", "--port", "--host"]);

describe("router container command", () => {
  it("the image's ENTRYPOINT runs the compiled router", () => {
    const ep = entrypoint();
    expect(ep[0]).toBe("node");
    expect(ep.at(-1)).toBe("dist/router/main.js");
  });

  it.each(["home", "local"])("the %s stack passes only router options to it", (stack) => {
    const r = validateStackConfig({ values: withSecrets(readStackFile(stack)), secretKeys: new Set(["secrets"]) });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const specs = routerSpecs(r.config, testHome);
    expect(specs.length).toBeGreaterThan(0);
    for (const spec of specs) {
      const cmd = spec.command ?? [];
      for (let i = 0; i < cmd.length; i += 2) expect(routerOptions, `${spec.name}: ${cmd.join(" ")}`).toContain(cmd[i]);
      expect(cmd).toContain("--config");
    }
  });
});

describe("router image", () => {
  it("is built on each router host from router/Dockerfile when router.image is not set", async () => {
    const run = await runProgram(withSecrets(readStackFile("home")));
    const builds = byType(run, "docker:index/image:Image");
    expect(builds.map((b) => b.name).sort()).toEqual(["router-dev-image", "router-unraid-image"]);
    for (const b of builds) {
      // Absolute paths in the project root: neither the provider nor the program runs there.
      const root = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
      expect(b.inputs).toMatchObject({
        imageName: "aistack-router:local",
        skipPush: true,
        build: { context: root, dockerfile: `${root}/router/Dockerfile`, platform: "linux/amd64", args: {} },
      });
      // Built by the Docker daemon of the host the router runs on.
      const container = byType(run, "docker:index/container:Container").find((c) => `${c.name}-image` === b.name);
      expect(b.provider).toBe(container?.provider);
    }
    expect(byType(run, "docker:index/remoteImage:RemoteImage").map((r) => r.name)).not.toContain("router-dev-image");
  });

  it("starts from router.baseImage (the Dockerfile's NODE_IMAGE argument) when one is set", async () => {
    const values = withSecrets(readStackFile("local"));
    const router = { ...(values.router as object), baseImage: "aistack-e2e/node-base:20" };
    const run = await runProgram({ ...values, router });
    const [build] = byType(run, "docker:index/image:Image");
    expect(build?.inputs.build).toMatchObject({ args: { NODE_IMAGE: "aistack-e2e/node-base:20" } });
    const dockerfile = readFileSync(new URL("../../../router/Dockerfile", import.meta.url), "utf8");
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-slim$/m);
    expect(dockerfile.match(/^FROM \$\{NODE_IMAGE\}/gm)?.length).toBe(dockerfile.match(/^FROM /gm)?.length);
  });

  it("is pulled, not built, when router.image names a published image", async () => {
    const values = withSecrets(readStackFile("local"));
    const run = await runProgram({ ...values, router: { ...(values.router as object), image: "ghcr.io/example/router:1.2.3" } });
    expect(byType(run, "docker:index/image:Image")).toEqual([]);
    expect(byType(run, "docker:index/remoteImage:RemoteImage").find((r) => r.name === "router-local-image")?.inputs.name).toBe("ghcr.io/example/router:1.2.3");
  });

  it("sends only what the image needs as build context", () => {
    const ignore = readFileSync(new URL("../../../.dockerignore", import.meta.url), "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    expect(ignore[0]).toBe("*");
    const beside = readFileSync(new URL("../../../router/Dockerfile.dockerignore", import.meta.url), "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    expect(ignore).toEqual(beside);
    const copied = [...readFileSync(new URL("../../../router/Dockerfile", import.meta.url), "utf8").matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      (m[1] ?? "").split(" "),
    );
    expect(copied.length).toBeGreaterThan(0);
    for (const path of copied) expect(ignore.includes(`!${path}`) || ignore.includes(`!${path}/`), path).toBe(true);
  });
});
