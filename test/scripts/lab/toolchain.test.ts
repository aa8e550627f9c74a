// The lab's toolchain (scripts/lab/toolchain.ts) without building anything: the wrapper go.mod it
// writes, what it says is missing, and the reuse of a filled cache (fake binaries that answer as the
// real ones do). Real builds are checked by `npm run lab`, not here.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ensureLabTools, labCacheDir, labPath, missingLabPrerequisite, wrapperGoMod } from "../../../scripts/lab/toolchain.js";

let root: string;
let bin: string;
let cache: string;
let e2e: string;

function script(file: string, body: string): string {
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

const plugins = (): void => {
  for (const p of ["pulumi-language-nodejs", "pulumi-resource-docker", "pulumi-resource-command", "pulumi"]) script(join(bin, p), "exit 0");
};

/** A cache as a finished build leaves it; `etcdSays` is what the cached etcd prints for --version. */
function filledCache(etcdSays = "etcd Version: 3.7.3"): void {
  script(join(cache, "kube-apiserver-v1.37.2", "bin", "kube-apiserver"), 'echo "Kubernetes v1.37.2"');
  script(join(cache, "etcd-v3.7.3", "bin", "etcd"), `echo "${etcdSays}"`);
  script(join(cache, "traefik-v3.6.12", "bin", "traefik"), 'printf "Version:      v3.6.12\\nCodename:     x\\n"');
  // A plugin started bare prints its gRPC port and serves until stopped.
  script(join(cache, "pulumi-resource-kubernetes-v4.25.0", "bin", "pulumi-resource-kubernetes"), "echo 40123\nexec sleep 60");
  script(join(e2e, "ollama-v0.17.4", "bin", "ollama"), 'echo "ollama version is 0.17.4"');
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "labtools-"));
  bin = join(root, "bin");
  cache = join(root, "lab");
  e2e = join(root, "e2e");
  mkdirSync(bin);
  // No Go here: whatever is not cached cannot be built.
  vi.stubEnv("PATH", [bin, "/usr/bin", "/bin"].join(":"));
});

afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
});

describe("labCacheDir", () => {
  it("takes AISTACK_LAB_CACHE, else the XDG cache, else ~/.cache", () => {
    expect(labCacheDir({ AISTACK_LAB_CACHE: "/c/lab", XDG_CACHE_HOME: "/x" })).toBe("/c/lab");
    expect(labCacheDir({ XDG_CACHE_HOME: "/x" })).toBe("/x/aistack/lab");
    expect(labCacheDir({})).toMatch(/\/\.cache\/aistack\/lab$/);
  });
});

describe("wrapperGoMod", () => {
  it("pins every local replace, keeps the remote ones and the excludes", () => {
    const mod = {
      Go: "1.26.0",
      Replace: [
        { Old: { Path: "k8s.io/api" }, New: { Path: "./staging/src/k8s.io/api" } },
        { Old: { Path: "github.com/gorilla/mux" }, New: { Path: "github.com/containous/mux", Version: "v0.0.0-2025" } },
      ],
      Exclude: [{ Path: "github.com/tencentcloud/tencentcloud-sdk-go", Version: "v3.0.83+incompatible" }],
    };
    const text = wrapperGoMod("kube-apiserver", "k8s.io/kubernetes", "v1.37.2", mod, (p) => `${p} v0.37.2`);
    expect(text).toContain("module aistack.local/kube-apiserver\n\ngo 1.26.0\n\nrequire k8s.io/kubernetes v1.37.2\n");
    expect(text).toContain("\tk8s.io/api => k8s.io/api v0.37.2\n");
    expect(text).toContain("\tgithub.com/gorilla/mux => github.com/containous/mux v0.0.0-2025\n");
    expect(text).toContain("exclude (\n\tgithub.com/tencentcloud/tencentcloud-sdk-go v3.0.83+incompatible\n)");
    expect(text).not.toContain("./staging");
  });

  it("refuses a local replace it has no target for", () => {
    const mod = { Replace: [{ Old: { Path: "example.com/x" }, New: { Path: "../x" } }] };
    const pin = (p: string): string => {
      throw new Error(`no placeholder for ${p}`);
    };
    expect(() => wrapperGoMod("t", "example.com/m", "v1.0.0", mod, pin)).toThrow("no placeholder for example.com/x");
  });
});

describe("missingLabPrerequisite", () => {
  it("names the plugins absent from PATH", () => {
    expect(missingLabPrerequisite(cache)).toBe(
      "needs pulumi-language-nodejs, pulumi-resource-docker, pulumi-resource-command on PATH (Pulumi plugins the Go module proxy does not serve)",
    );
  });

  it("without Go, names what is not built yet", () => {
    plugins();
    expect(missingLabPrerequisite(cache)).toBe(`needs Go to build etcd, traefik, pulumi-resource-kubernetes, kube-apiserver (not in ${cache} yet)`);
    filledCache();
    expect(missingLabPrerequisite(cache)).toBeUndefined();
  });
});

describe("ensureLabTools", () => {
  it("reuses a filled cache without Go, and puts the plugin directories first on PATH", async () => {
    plugins();
    filledCache();
    const tools = await ensureLabTools(cache, e2e);
    expect(tools).toEqual({
      pulumi: join(bin, "pulumi"),
      kubeApiserver: join(cache, "kube-apiserver-v1.37.2", "bin", "kube-apiserver"),
      etcd: join(cache, "etcd-v3.7.3", "bin", "etcd"),
      traefik: join(cache, "traefik-v3.6.12", "bin", "traefik"),
      pluginDirs: [join(cache, "pulumi-resource-kubernetes-v4.25.0", "bin"), bin],
      ollama: join(e2e, "ollama-v0.17.4", "bin", "ollama"),
    });
    expect(labPath(tools, "/usr/bin:/x:" + bin)).toBe([bin, join(cache, "pulumi-resource-kubernetes-v4.25.0", "bin"), "/usr/bin", "/x"].join(":"));
  });

  it("does not take a cached binary of another version, and says building needs Go", async () => {
    plugins();
    filledCache("etcd Version: 3.6.0");
    await expect(ensureLabTools(cache, e2e)).rejects.toThrow(`etcd v3.7.3 is not in ${join(cache, "etcd-v3.7.3")} and building it needs Go on PATH`);
  });
});
