// Command-line options of `npm run bench`, parsed without side effects so they can be tested.
import { PEERS, SYSTEM_NAMES } from "./systems.js";
import { WORKLOADS } from "./workloads.js";
import type { Plan, WorkloadName } from "./workloads.js";
import type { SystemName } from "./systems.js";
import { W6_PEERS, W6_SYSTEMS, type W6SystemName } from "./w6/systems.js";
import { W8_SYSTEMS, type W8SystemName } from "./w8/systems.js";

export const HELP = `Usage: npm run bench -- [options]

Measures the router against a direct call to a fake upstream and nginx (the baseline of its
targets), and with --peers against peer gateways, in interleaved rounds on loopback, and writes raw
JSON plus a Markdown table to bench-results/.

Options:
  --quick               CI run: direct + router only, small counts, a short W6; about a minute
  --peers               also run the peer gateways (${PEERS.join(", ")}; in W6 LiteLLM's two
                        strategies), installed into --cache on first use; without it they are skipped
  --systems a,b,...     systems to run (default: direct, nginx, router, and the peers with --peers;
                        known: ${SYSTEM_NAMES.join(", ")}; a peer needs --peers)
  --workloads a,b,...   workloads to run (default: all; known: ${WORKLOADS.join(", ")})
  --rounds N            interleaved rounds (default 3; quick 2)
  --seconds N           wrk duration per W1/W2 run (default 5; quick 2)
  --streams N           concurrent streams held in W3 (default 1000; quick 100)
  --upstream-workers N  processes serving the fake upstream (default 2; quick 1)
  --out DIR             results directory (default bench-results)
  --no-install          do not install missing peers into the cache directory
  --cache DIR           where peers are installed (default ~/.cache/aistack/bench)
  --router-dist         run the router from dist/ (npm run build first) instead of with tsx
  --router-prof DIR     run the router with --cpu-prof, profiles written to DIR
  --olla-version V      version for go install github.com/thushan/olla@V (default latest)
  --w6 on|off|only      W6, routing on a home-lab workload (default on; only = W6 alone)
  --seed N              W6's seed: the same seed plays the same client script (default 1)
  --w6-systems a,b,...  W6's systems (default: from --systems; a peer needs --peers;
                        known: ${W6_SYSTEMS.join(", ")})
  --w6-routing JSON     W6: merged into the router's "routing" config (to measure one policy
                        against its absence, e.g. '{"batchPerModel":false}')
  --w8 on|off|only      W8, session affinity on two real Ollama servers (the e2e build; default
                        on; only = W8 alone); quick: a short version
  --w8-systems a,b,...  W8's systems (default all; known: ${W8_SYSTEMS.join(", ")})
  --help                this text

Needs wrk on PATH (Debian: apt-get install -y wrk); nginx for the proxy floor (nginx-light).
`;

export interface Options {
  help: boolean;
  quick: boolean;
  /** Run the peer gateways too (--peers); without it they are skipped. */
  peers: boolean;
  systems: SystemName[];
  workloads: WorkloadName[];
  plan: Plan;
  upstreamWorkers: number;
  out: string;
  install: boolean;
  cacheDir: string | undefined;
  routerDist: boolean;
  routerProfDir: string | undefined;
  ollaVersion: string;
  w6: "on" | "off" | "only";
  seed: number;
  w6Routing: Record<string, unknown>;
  /** W6's systems when given; otherwise those that --systems implies. */
  w6Systems: W6SystemName[] | undefined;
  w8: "on" | "off" | "only";
  w8Systems: W8SystemName[];
}

function fullPlan(): Plan {
  return {
    rounds: 3,
    w1Seconds: 5,
    w2Seconds: 5,
    w2Connections: [32, 128],
    ttftStreams: 40,
    ttftChunks: 16,
    ttftPaceMs: 10,
    holdStreams: 1000,
    holdChunks: 64,
    holdPaceMs: 20,
    disconnects: 100,
    disconnectChunks: 250,
    disconnectPaceMs: 20,
    settleMs: 1000,
    bigBodies: 6,
    bigBodyMb: 55,
  };
}

export function quickPlan(): Plan {
  return {
    ...fullPlan(),
    rounds: 2,
    w1Seconds: 2,
    w2Seconds: 2,
    w2Connections: [32],
    ttftStreams: 15,
    ttftChunks: 8,
    holdStreams: 100,
    holdChunks: 16,
    disconnects: 20,
    settleMs: 500,
    bigBodyMb: 16,
  };
}

function positiveInt(flag: string, raw: string | undefined, max: number): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isInteger(n) || n < 1 || n > max) throw new Error(`${flag} needs a whole number from 1 to ${max}`);
  return n;
}

/** A comma-separated list of names, each one of `known`. */
function knownNames<T extends string>(what: string, raw: string, known: readonly T[]): T[] {
  const names = raw.split(",").filter(Boolean);
  const unknown = names.filter((n) => !(known as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`unknown ${what} ${unknown.join(", ")}; known: ${known.join(", ")}`);
  return names as T[];
}

export function parseArgs(argv: readonly string[]): Options {
  const quick = argv.includes("--quick");
  const peers = argv.includes("--peers");
  const o: Options = {
    help: false,
    quick,
    peers,
    systems: [...(quick ? (["direct", "router"] as const) : (["direct", "nginx", "router"] as const)), ...(peers ? PEERS : [])],
    workloads: [...WORKLOADS],
    plan: quick ? quickPlan() : fullPlan(),
    // Two processes serve the fake upstream in a full run: one was the bottleneck at 128 connections
    // (direct ≈ 2.4× the router); two leave it at ≥ 3× on 2 cores, where wrk and the system share them.
    upstreamWorkers: quick ? 1 : 2,
    out: "bench-results",
    install: true,
    cacheDir: undefined,
    routerDist: false,
    routerProfDir: undefined,
    ollaVersion: "latest",
    w6: "on",
    seed: 1,
    w6Routing: {},
    w6Systems: undefined,
    w8: "on",
    w8Systems: [...W8_SYSTEMS],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case "--help":
      case "-h":
        o.help = true;
        break;
      case "--quick":
      case "--peers":
        break;
      case "--systems":
        o.systems = knownNames("system", value(), SYSTEM_NAMES);
        break;
      case "--workloads":
        o.workloads = knownNames("workload", value(), WORKLOADS);
        break;
      case "--rounds":
        o.plan.rounds = positiveInt(a, value(), 20);
        break;
      case "--seconds": {
        const s = positiveInt(a, value(), 60);
        o.plan.w1Seconds = s;
        o.plan.w2Seconds = s;
        break;
      }
      case "--streams":
        o.plan.holdStreams = positiveInt(a, value(), 5000);
        break;
      case "--upstream-workers":
        o.upstreamWorkers = positiveInt(a, value(), 8);
        break;
      case "--out":
        o.out = value();
        break;
      case "--no-install":
        o.install = false;
        break;
      case "--cache":
        o.cacheDir = value();
        break;
      case "--router-dist":
        o.routerDist = true;
        break;
      case "--router-prof":
        o.routerProfDir = value();
        break;
      case "--olla-version":
        o.ollaVersion = value();
        if (!/^(latest|v\d+\.\d+\.\d+[\w.-]*)$/.test(o.ollaVersion)) throw new Error("--olla-version must be latest or vX.Y.Z");
        break;
      case "--w6": {
        const v = value();
        if (v !== "on" && v !== "off" && v !== "only") throw new Error("--w6 must be on, off or only");
        o.w6 = v;
        break;
      }
      case "--w6-systems": {
        const names = value().split(",").filter(Boolean);
        const unknown = names.filter((n) => !(W6_SYSTEMS as readonly string[]).includes(n));
        if (unknown.length > 0) throw new Error(`unknown W6 system ${unknown.join(", ")}; known: ${W6_SYSTEMS.join(", ")}`);
        o.w6Systems = names as W6SystemName[];
        break;
      }
      case "--w6-routing": {
        let v: unknown;
        try {
          v = JSON.parse(value());
        } catch {
          throw new Error("--w6-routing needs a JSON object");
        }
        if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("--w6-routing needs a JSON object");
        o.w6Routing = v as Record<string, unknown>;
        break;
      }
      case "--w8": {
        const v = value();
        if (v !== "on" && v !== "off" && v !== "only") throw new Error("--w8 must be on, off or only");
        o.w8 = v;
        break;
      }
      case "--w8-systems":
        o.w8Systems = knownNames("W8 system", value(), W8_SYSTEMS);
        break;
      case "--seed":
        o.seed = positiveInt(a, value(), 2 ** 31 - 1);
        break;
      default:
        throw new Error(`unknown option ${a} (see --help)`);
    }
  }
  const peersNamed = [...o.systems.filter((s) => PEERS.includes(s)), ...(o.w6Systems ?? []).filter((s) => W6_PEERS.includes(s))];
  if (!peers && peersNamed.length > 0) throw new Error(`${peersNamed.join(", ")}: peer gateways run only with --peers`);
  // Added latency is measured against direct, so it always runs first in the list.
  if (!o.systems.includes("direct")) o.systems.unshift("direct");
  return o;
}

/** The order systems run in round r: rotated so none is always first or last. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  if (items.length === 0) return [];
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
