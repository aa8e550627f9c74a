// Command-line arguments of `npm run drift`. Pure: argv in, options or a usage problem out.
import { parseArgs } from "node:util";

export interface DriftOptions {
  stack: string;
  json: boolean;
}

export type ParsedArgs = { kind: "help" } | { kind: "run"; options: DriftOptions } | { kind: "error"; message: string };

export const usage = `Usage: npm run drift -- --stack <name> [--json]

Compares what runs on the stack's hosts with what the stack config says, and changes nothing.
Desired: the stack config (pulumi config --show-secrets --json -s <name>) rendered by the program's
own spec functions. Live: each host over SSH with your agent (docker ps, docker inspect), each
engine's API (Ollama /api/tags, vLLM and llama.cpp /v1/models), each router's /status.json and the
router config file on its host.

  --stack <name>   the stack (as pulumi -s takes it)
  --json           print the findings as JSON
  --help           this text

One line per finding, grouped by host: its kind, what the stack says, what runs, and the command
that brings it back. Kinds: container-missing, container-stopped, image, command, env, ports, mounts,
restart-policy, gpus, model-missing, model-extra, served-model, router-config, foreign-container,
host-unreachable, engine-unreachable. A secret's value is never printed.

Exit codes: 0 clean; 1 drift found; 2 a host or an engine could not be read (the report says which;
the other hosts are still checked), or an error (unknown stack, invalid config).
`;

export function parseDriftArgs(argv: readonly string[]): ParsedArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        stack: { type: "string", short: "s" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (err) {
    return { kind: "error", message: err instanceof Error ? err.message : String(err) };
  }
  if (values.help) return { kind: "help" };
  if (!values.stack) return { kind: "error", message: "--stack <name> is required" };
  if (!/^[A-Za-z0-9_./-]+$/.test(values.stack)) return { kind: "error", message: `"${values.stack}" is not a stack name` };
  return { kind: "run", options: { stack: values.stack, json: values.json } };
}
