// The engines of W6 in one process: the test suite's engine fakes (tools/fakes), each on its own
// loopback port, and a control port for the harness. Run as `tsx scripts/bench/w6/fleet.ts '<engines
// as JSON>'`; it prints {"backends":{name:url},"controlPort":C} once listening.
//   POST /reset          every engine stopped and started fresh on the same port (cold, zero counts)
//   POST /kill/<name>    a crash: connections dropped, nothing listening
//   POST /restart/<name> listening again, cold (Ollama starts with nothing loaded)
//   GET  /stats          per engine: loads, evictions, generations, requests that waited for a load,
//                        and of those, how many had another engine ready with their model at that moment
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startFakeEngine, type FakeEngine } from "../../../tools/fakes/index.js";
import type { EngineSpec } from "./plan.js";

export interface EngineCounts {
  loadsStarted: number;
  loadsCompleted: number;
  loadsAborted: number;
  evictions: number;
  generationsStarted: number;
  generationsCompleted: number;
  generationsAborted: number;
  /** Requests that had to wait for their model to load (it was cold, loading, or being evicted). */
  coldRequests: number;
  /** …while another engine had that model loaded and could have started it at once. */
  coldWithWarmFree: number;
}

export type FleetStats = Record<string, EngineCounts>;

/** A long reply, cut by each request's max_tokens: one word is one token of the fakes' tokenizer. */
const REPLY = Array.from({ length: 2_000 }, (_, i) => `w${i}`).join(" ");

/** The model name without Ollama's implied tag. */
const bare = (model: string): string => model.replace(/:latest$/, "");

export class Fleet {
  private readonly engines = new Map<string, FakeEngine>();
  private readonly ports = new Map<string, number>();
  private readonly cold = new Map<string, { coldRequests: number; coldWithWarmFree: number }>();

  constructor(private readonly specs: readonly EngineSpec[]) {}

  async start(): Promise<void> {
    for (const spec of this.specs) {
      this.cold.set(spec.name, { coldRequests: 0, coldWithWarmFree: 0 });
      const port = this.ports.get(spec.name) ?? 0;
      const engine = await startFakeEngine({
        engine: spec.engine,
        models: spec.models,
        port,
        // OLLAMA_NUM_PARALLEL=1, OLLAMA_MAX_LOADED_MODELS=1: one model resident, one request at a time.
        numParallel: 1,
        maxLoadedModels: 1,
        ...(spec.loadDelaysMs ? { loadDelaysMs: spec.loadDelaysMs } : {}),
        chunkDelayMs: spec.chunkDelayMs,
        reply: () => ({ content: REPLY }),
        onColdRequest: (model) => this.onCold(spec.name, model),
      });
      this.engines.set(spec.name, engine);
      this.ports.set(spec.name, engine.port);
    }
  }

  private onCold(name: string, model: string): void {
    const c = this.cold.get(name);
    if (!c) return;
    c.coldRequests += 1;
    for (const [other, engine] of this.engines) {
      if (other !== name && engine.readyFor(bare(model))) {
        c.coldWithWarmFree += 1;
        return;
      }
    }
  }

  urls(): Record<string, string> {
    return Object.fromEntries([...this.engines].map(([name, e]) => [name, e.url]));
  }

  async reset(): Promise<void> {
    await Promise.all([...this.engines.values()].map((e) => e.stop()));
    this.engines.clear();
    await this.start();
  }

  engine(name: string): FakeEngine {
    const e = this.engines.get(name);
    if (!e) throw new Error(`no engine ${name}`);
    return e;
  }

  stats(): FleetStats {
    const out: FleetStats = {};
    for (const [name, e] of this.engines) {
      const s = e.stats;
      const c = this.cold.get(name) ?? { coldRequests: 0, coldWithWarmFree: 0 };
      out[name] = {
        loadsStarted: s.loadsStarted,
        loadsCompleted: s.loadsCompleted,
        loadsAborted: s.loadsAborted,
        evictions: s.evictions,
        generationsStarted: s.generationsStarted,
        generationsCompleted: s.generationsCompleted,
        generationsAborted: s.generationsAborted,
        ...c,
      };
    }
    return out;
  }

  stop(): Promise<unknown> {
    return Promise.all([...this.engines.values()].map((e) => e.stop()));
  }
}

async function main(): Promise<void> {
  const specs = JSON.parse(process.argv[2] ?? "[]") as EngineSpec[];
  const fleet = new Fleet(specs);
  await fleet.start();
  const control = http.createServer((req, res) => {
    const answer = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const [, verb, name] = /^\/(reset|kill|restart|stats)(?:\/([\w.-]+))?$/.exec(req.url ?? "") ?? [];
    const act = async (): Promise<unknown> => {
      if (verb === "stats" && req.method === "GET") return fleet.stats();
      if (req.method !== "POST") throw new Error("method");
      if (verb === "reset") return fleet.reset().then(() => fleet.urls());
      if (verb === "kill" && name)
        return fleet
          .engine(name)
          .kill()
          .then(() => ({ killed: name }));
      if (verb === "restart" && name)
        return fleet
          .engine(name)
          .restart()
          .then(() => ({ restarted: name }));
      throw new Error("unknown");
    };
    act().then(
      (body) => answer(200, body),
      (e: unknown) => answer(400, { error: e instanceof Error ? e.message : String(e) }),
    );
  });
  await new Promise<void>((r) => control.listen(0, "127.0.0.1", () => r()));
  process.stdout.write(JSON.stringify({ backends: fleet.urls(), controlPort: (control.address() as AddressInfo).port }) + "\n");
  const shutdown = (): void => {
    control.close();
    void fleet.stop().then(() => process.exit(0));
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

if (import.meta.url === `file://${process.argv[1] ?? ""}`) await main();
