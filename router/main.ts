#!/usr/bin/env node
// CLI: npm run router -- --config <file> [--port N]; compiled (npm run build), the package's
// `aistack-router` bin.
import { parseArgs } from "node:util";
import { ConfigWatcher } from "./config/watch.js";
import { formatProblems, loadConfigFile } from "./config/load.js";
import { routerConfigJsonSchema } from "./config/schema.js";
import { onStopSignals } from "./http/signals.js";
import { Router } from "./server.js";

const usage = `Usage: aistack-router --config <file> [--port N] [--host H]

  --config <file>  router config (JSON); reloaded when it changes and on SIGHUP. SIGTERM or
                   SIGINT drains (drainMs); a second keeps the drain, a third forces exit
  --port N         listen port (overrides listen.port)
  --host H         listen address (overrides listen.host)
  --json-schema    print the config's JSON Schema (for editors) and exit; through npm use
                   npm run -s router -- --json-schema > file (-s keeps npm's banner out)
  --help           this text

Endpoints: /v1/* and /api/v1/* (OpenAI), /v1/messages and /api/v1/messages (Anthropic),
/api/* (Ollama), /healthz, /readyz, /status, /status.json, /metrics.`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        config: { type: "string" },
        port: { type: "string" },
        host: { type: "string" },
        help: { type: "boolean" },
        "json-schema": { type: "boolean" },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(usage + "\n");
    return 0;
  }
  if (args["json-schema"]) {
    process.stdout.write(JSON.stringify(routerConfigJsonSchema(), null, 2) + "\n");
    return 0;
  }
  if (!args.config) {
    process.stderr.write(`--config is required\n\n${usage}\n`);
    return 2;
  }
  const port = args.port !== undefined ? Number(args.port) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    process.stderr.write(`--port must be an integer 0..65535\n`);
    return 2;
  }
  const loaded = await loadConfigFile(args.config);
  if (!loaded.ok) {
    process.stderr.write(`invalid config ${args.config}:\n${formatProblems(loaded.problems)}\n`);
    return 1;
  }
  const router = new Router({ config: loaded.config, source: args.config, sha256: loaded.sha256 });
  await router.listen(port, args.host);
  const watcher = new ConfigWatcher(args.config, router.configHandlers());
  watcher.start(JSON.stringify(loaded.config));
  process.on("SIGHUP", () => void watcher.reload());
  return new Promise<number>((resolve) => {
    onStopSignals(process, router.logger, {
      drain: (signal) => {
        router.logger.event("info", "draining", { signal, inFlight: router.inFlight, drainMs: router.config.drainMs });
        watcher.stop();
        void router.close().then(() => resolve(0));
      },
      force: () => resolve(1),
      inFlight: () => router.inFlight,
    });
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`router failed to start: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
