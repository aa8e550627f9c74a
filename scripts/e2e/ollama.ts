// Installs a pinned Ollama from its Go module into a cache outside the repository, CPU only.
//
// What it takes (found building v0.17.4 with Go 1.26 and gcc 12 on Debian 12):
// - `go install github.com/ollama/ollama@<v>` compiles llama.cpp and ggml through cgo: ~10 min
//   from an empty cache on a busy 2-core machine; the binary and Go's build cache are then reused.
// - Module zips drop `vendor` directories (golang.org/x/mod/zip, testdata/create/exclude_vendor*.txt),
//   so llama/llama.cpp/vendor, where Ollama keeps llama.cpp's third-party headers, is missing
//   from the downloaded module and the cgo build fails on `nlohmann/json_fwd.hpp`. Three are needed:
//   nlohmann/json (common/json-schema-to-grammar), miniaudio and stb_image (tools/mtmd/mtmd-helper).
//   They come from package registries instead: nlohmann-json and miniaudio from PyPI (pip download,
//   their headers only) and stb from Debian (libstb-dev), and reach the compiler through CGO_CPPFLAGS.

import { existsSync, mkdirSync, readdirSync, cpSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { homedir } from "node:os";
import { join } from "node:path";
import { runBounded } from "../lib/child.js";

const OLLAMA_VERSION = "v0.17.4";
const OLLAMA_MODULE = "github.com/ollama/ollama";
/** go.mod of v0.17.4 says `go 1.24.1`. */
const MIN_GO = [1, 24] as const;

const NLOHMANN_JSON = "nlohmann-json==3.12.0";
const MINIAUDIO = "miniaudio==1.71";
const STB_IMAGE = "/usr/include/stb/stb_image.h";

export function e2eCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AISTACK_E2E_CACHE) return env.AISTACK_E2E_CACHE;
  const base = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "aistack", "e2e");
}

export interface OllamaInstall {
  binary: string;
  version: string;
}

interface GoEnvPaths {
  GOBIN: string;
  GOPATH: string;
  GOCACHE: string;
  GOMODCACHE: string;
}

/** Everything Go writes stays inside the cache, per version for the binary. */
function goPaths(cache: string, version: string): GoEnvPaths {
  return {
    GOBIN: join(cache, `ollama-${version}`, "bin"),
    GOPATH: join(cache, "go", "path"),
    GOCACHE: join(cache, "go", "cache"),
    GOMODCACHE: join(cache, "go", "mod"),
  };
}

/** Parses `go version` output ("go version go1.26.8 linux/amd64") into [major, minor]. */
function parseGoVersion(out: string): [number, number] | undefined {
  const m = /go(\d+)\.(\d+)/.exec(out);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function say(msg: string): void {
  process.stderr.write(`[e2e] ${msg}\n`);
}

function checkGo(): void {
  let out: string;
  try {
    out = execFileSync("go", ["version"], { encoding: "utf8", env: { ...process.env, GOTOOLCHAIN: "local" } });
  } catch {
    throw new Error("the Go toolchain (`go`) is required to build Ollama; install Go >= 1.24");
  }
  const v = parseGoVersion(out);
  if (!v || v[0] < MIN_GO[0] || (v[0] === MIN_GO[0] && v[1] < MIN_GO[1])) {
    throw new Error(`Go >= ${MIN_GO.join(".")} is required to build Ollama ${OLLAMA_VERSION}; found: ${out.trim()}`);
  }
}

/** Fetches the headers the module zip lacks into `<cache>/cdeps/include`; returns that directory. */
async function ensureVendorHeaders(cache: string, logFile: string): Promise<string> {
  const include = join(cache, "cdeps", "include");
  const dl = join(cache, "cdeps", "dl");
  if (!existsSync(join(include, "nlohmann", "json.hpp")) || !existsSync(join(include, "miniaudio", "miniaudio.h"))) {
    rmSync(dl, { recursive: true, force: true });
    mkdirSync(dl, { recursive: true });
    say(`fetching C headers from PyPI (${NLOHMANN_JSON}, ${MINIAUDIO})`);
    const pip = async (args: string[]): Promise<void> => {
      const r = await runBounded("python3", ["-m", "pip", "download", "--no-deps", "-d", dl, ...args], {
        timeoutMs: 5 * 60_000,
        logFile,
      });
      if (r.code !== 0) throw new Error(`pip download ${args.join(" ")} failed; see ${logFile}`);
    };
    await pip([NLOHMANN_JSON]);
    // The sdist carries miniaudio.h; the wheels only carry a compiled extension.
    await pip(["--no-binary", ":all:", MINIAUDIO]);
    const files = readdirSync(dl);
    const wheel = files.find((f) => f.startsWith("nlohmann_json-") && f.endsWith(".whl"));
    const sdist = files.find((f) => f.startsWith("miniaudio-") && f.endsWith(".tar.gz"));
    if (!wheel || !sdist) throw new Error(`expected a nlohmann_json wheel and a miniaudio sdist in ${dl}`);
    execFileSync("python3", ["-m", "zipfile", "-e", join(dl, wheel), join(dl, "nlohmann")]);
    execFileSync("tar", ["-xzf", join(dl, sdist), "-C", dl]);
    mkdirSync(join(include, "miniaudio"), { recursive: true });
    cpSync(join(dl, "nlohmann", "nlohmann_json", "include", "nlohmann"), join(include, "nlohmann"), { recursive: true });
    cpSync(join(dl, sdist.replace(/\.tar\.gz$/, ""), "miniaudio", "miniaudio.h"), join(include, "miniaudio", "miniaudio.h"));
  }
  if (!existsSync(STB_IMAGE)) {
    if (process.getuid?.() !== 0) {
      throw new Error(`${STB_IMAGE} is missing: run \`sudo apt-get install -y libstb-dev\``);
    }
    say("installing libstb-dev (stb_image.h) from Debian");
    const apt = (args: string[]): Promise<{ code: number | null }> =>
      runBounded("apt-get", args, { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeoutMs: 5 * 60_000, logFile });
    // A fresh machine may have no package lists yet: refresh them once if the first try fails.
    if ((await apt(["install", "-y", "-q", "libstb-dev"])).code !== 0) {
      await apt(["update", "-q"]);
      await apt(["install", "-y", "-q", "libstb-dev"]);
    }
    if (!existsSync(STB_IMAGE)) throw new Error(`apt-get install libstb-dev failed; see ${logFile}`);
  }
  return include;
}

/** `ollama --version` prints "ollama version is X" (plus a warning when no server is running). */
function parseOllamaVersion(out: string): string | undefined {
  return /version is (\S+)/.exec(out)?.[1];
}

function installedVersion(binary: string): string | undefined {
  if (!existsSync(binary)) return undefined;
  try {
    // A dead port makes the client skip the server lookup; it still prints its own version.
    const out = execFileSync(binary, ["--version"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, OLLAMA_HOST: "127.0.0.1:9" },
      timeout: 30_000,
    });
    return parseOllamaVersion(out);
  } catch (err) {
    const out = (err as { stdout?: string }).stdout ?? "";
    return parseOllamaVersion(out);
  }
}

/** The cached binary for OLLAMA_VERSION when it is built; never builds (the bench's W8 uses it). */
export function cachedOllama(cache = e2eCacheDir()): OllamaInstall | undefined {
  const binary = join(goPaths(cache, OLLAMA_VERSION).GOBIN, "ollama");
  const want = OLLAMA_VERSION.replace(/^v/, "");
  return installedVersion(binary) === want ? { binary, version: want } : undefined;
}

/**
 * Returns the cached binary for OLLAMA_VERSION, building it first when absent. The build runs with
 * a hard limit (AISTACK_E2E_BUILD_TIMEOUT_MIN, default 90) and logs to `<cache>/build-<v>.log`.
 */
export async function ensureOllama(cache = e2eCacheDir()): Promise<OllamaInstall> {
  const paths = goPaths(cache, OLLAMA_VERSION);
  const binary = join(paths.GOBIN, "ollama");
  const want = OLLAMA_VERSION.replace(/^v/, "");
  const have = installedVersion(binary);
  if (have === want) {
    say(`using cached ollama ${have} at ${binary}`);
    return { binary, version: have };
  }

  checkGo();
  for (const dir of [paths.GOBIN, paths.GOPATH, paths.GOCACHE, paths.GOMODCACHE]) mkdirSync(dir, { recursive: true });
  const logFile = join(cache, `build-${OLLAMA_VERSION}.log`);
  const include = await ensureVendorHeaders(cache, logFile);
  const limitMin = Number(process.env.AISTACK_E2E_BUILD_TIMEOUT_MIN ?? "90");
  say(`building ollama ${OLLAMA_VERSION} from its Go module (CPU only; the first build takes a while); log: ${logFile}`);
  const started = Date.now();
  const ticker = setInterval(() => say(`still building (${Math.round((Date.now() - started) / 60_000)} min)`), 60_000);
  try {
    const r = await runBounded(
      "go",
      [
        "install",
        // Official builds stamp the version at link time; without it /api/version says 0.0.0.
        "-ldflags",
        `-X ${OLLAMA_MODULE}/version.Version=${want}`,
        `${OLLAMA_MODULE}@${OLLAMA_VERSION}`,
      ],
      {
        cwd: cache,
        env: {
          ...process.env,
          ...paths,
          CGO_ENABLED: "1",
          CGO_CPPFLAGS: `-I${include}`,
          GOTOOLCHAIN: "local",
          GOFLAGS: "-buildvcs=false",
        },
        timeoutMs: limitMin * 60_000,
        logFile,
      },
    );
    if (r.timedOut) throw new Error(`building ollama took longer than ${limitMin} min; see ${logFile}`);
    if (r.code !== 0) throw new Error(`go install ${OLLAMA_MODULE}@${OLLAMA_VERSION} failed; see ${logFile}`);
  } finally {
    clearInterval(ticker);
  }
  const built = installedVersion(binary);
  if (built !== want) throw new Error(`built ${binary} but \`ollama --version\` reports ${built ?? "nothing"}`);
  say(`built ollama ${built} in ${Math.round((Date.now() - started) / 60_000)} min`);
  return { binary, version: built };
}
