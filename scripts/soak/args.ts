// Command-line arguments of the soak: bounded in time and in clients.
import { parseArgs } from "node:util";

export interface SoakOptions {
  seconds: number;
  clients: number;
  /** How often a flapping backend is killed (then restarted). */
  flapEveryMs: number;
  /** How often the config file is rewritten (alternately valid and invalid). */
  rewriteEveryMs: number;
  /** Share of requests the client aborts early. */
  abortRate: number;
  seed: number;
  json: boolean;
}

export const usage = `Usage: npm run soak -- [--seconds N] [--clients N] [--flap-ms N] [--rewrite-ms N] [--abort-rate R] [--seed N] [--json]

Runs the router and engine fakes as child processes on loopback, drives them with concurrent
clients on all three faces (OpenAI, Anthropic, Ollama; streaming and not; some aborted), kills and
restarts backends and rewrites the config file (valid and invalid) while it runs, then prints one
summary. Exits 1 when a must-be-0 figure is not 0, 2 on bad arguments.

  --seconds N     duration of the load (default 60, max 3600)
  --clients N     concurrent clients (default 200, max 1000)
  --flap-ms N     a flapping backend is killed every N ms (default 3000)
  --rewrite-ms N  the config file is rewritten every N ms (default 2000)
  --abort-rate R  share of requests aborted by their client, 0..1 (default 0.1)
  --seed N        seed of the random choices (default 1)
  --json          print the summary as JSON
  --help          this text`;

function int(name: string, v: string | undefined, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in ${min}..${max}, got ${v}`);
  return n;
}

export function parseSoakArgs(argv: string[]): SoakOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      seconds: { type: "string" },
      clients: { type: "string" },
      "flap-ms": { type: "string" },
      "rewrite-ms": { type: "string" },
      "abort-rate": { type: "string" },
      seed: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return "help";
  const abortRate = values["abort-rate"] === undefined ? 0.1 : Number(values["abort-rate"]);
  if (!Number.isFinite(abortRate) || abortRate < 0 || abortRate > 1) throw new Error(`--abort-rate must be a number in 0..1, got ${values["abort-rate"]}`);
  return {
    seconds: int("seconds", values.seconds, 60, 1, 3600),
    clients: int("clients", values.clients, 200, 1, 1000),
    flapEveryMs: int("flap-ms", values["flap-ms"], 3000, 200, 600_000),
    rewriteEveryMs: int("rewrite-ms", values["rewrite-ms"], 2000, 200, 600_000),
    abortRate,
    seed: int("seed", values.seed, 1, 0, 2 ** 31),
    json: values.json ?? false,
  };
}
