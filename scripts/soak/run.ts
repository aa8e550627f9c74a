// The soak itself: start fakes and router as children, drive load while backends flap and the
// config is rewritten, settle, collect figures, stop everything.
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "undici";
import type { SoakOptions } from "./args.js";
import { killAll } from "../lib/child.js";
import { FakeProcess, RouterProcess } from "./children.js";
import { FACES, send, type Verdict } from "./clients.js";
import { prng } from "./prng.js";
import type { SoakSummary } from "./summary.js";
import { ALIASES, FAKES, invalidConfigText, routerConfig } from "./topology.js";

export { prng };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sums every sample of a Prometheus counter, optionally only those whose labels contain `match`. */
function counterSum(text: string, name: string, match = ""): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) continue;
    if (match && !line.includes(match)) continue;
    const v = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (Number.isFinite(v)) sum += v;
  }
  return sum;
}

async function getText(url: string): Promise<string> {
  const r = await request(url);
  return r.body.text();
}

async function waitReady(url: string, limitMs: number): Promise<void> {
  const end = Date.now() + limitMs;
  for (;;) {
    try {
      const s = JSON.parse(await getText(url + "/status.json")) as { backends?: { health?: string }[] | Record<string, { health?: string }> };
      const list = Array.isArray(s.backends) ? s.backends : Object.values(s.backends ?? {});
      if (list.length === FAKES.length && list.every((b) => b.health === "up")) return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error("backends did not all come up before the soak");
    await sleep(100);
  }
}

export async function runSoak(opts: SoakOptions, log: (line: string) => void = () => undefined): Promise<SoakSummary> {
  const random = prng(opts.seed);
  const dir = await mkdtemp(join(tmpdir(), "aistack-soak-"));
  const file = join(dir, "router.json");
  const fakes = FAKES.map((s) => new FakeProcess(s));
  const router = new RouterProcess();
  const agent = new Agent({ connections: opts.clients, keepAliveTimeout: 10_000 });
  try {
    await Promise.all(fakes.map((f) => f.start()));
    const urls = Object.fromEntries(fakes.map((f) => [f.spec.name, f.url]));
    await writeFile(file, JSON.stringify(routerConfig(urls, 0), null, 2));
    await router.start(file);
    await waitReady(router.url, 30_000);
    log(`router ${router.url} (pid ${router.pid ?? "?"}), ${fakes.length} fakes up; load for ${opts.seconds} s`);

    const rssStart = router.rss() ?? 0;
    let rssPeak = rssStart;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, router.rss() ?? 0)), 250);
    const end = Date.now() + opts.seconds * 1000;
    const verdicts = new Map<string, number>();
    const samples = new Map<string, string[]>();
    let sent = 0;
    let succeeded = 0;
    let aborted = 0;
    let withAlternative = 0;
    let truncations = 0;
    const count = (v: Verdict): void => {
      if (v.kind === "ok") succeeded++;
      else if (v.kind === "aborted") aborted++;
      else {
        verdicts.set(v.reason, (verdicts.get(v.reason) ?? 0) + 1);
        if (v.detail !== undefined && (samples.get(v.reason)?.length ?? 0) < 3) samples.set(v.reason, [...(samples.get(v.reason) ?? []), v.detail]);
        if (v.reason === "silent-truncation") truncations++;
        // Every alias has a steady target: only a stream whose backend had already started answering may fail.
        if (!v.started) withAlternative++;
      }
    };

    const worker = async (): Promise<void> => {
      while (Date.now() < end) {
        const n = sent++;
        const face = FACES[Math.floor(random() * FACES.length)] ?? "openai";
        const alias = ALIASES[Math.floor(random() * ALIASES.length)] ?? "coder";
        const stream = random() < 0.5;
        const abortAfterMs = random() < opts.abortRate ? Math.floor(random() * 300) : undefined;
        count(await send(router.url, agent, { face, alias, stream, n, ...(abortAfterMs !== undefined ? { abortAfterMs } : {}) }, 30_000));
      }
    };

    let kills = 0;
    const flapper = async (): Promise<void> => {
      const flaky = fakes.filter((f) => f.spec.flaps);
      while (Date.now() + opts.flapEveryMs < end) {
        await sleep(opts.flapEveryMs * (0.5 + random()));
        if (Date.now() >= end) break;
        const f = flaky[Math.floor(random() * flaky.length)];
        if (!f) break;
        await f.kill();
        kills++;
        await sleep(300 + random() * 900);
        await f.start();
      }
    };

    const rewrites = { valid: 0, invalid: 0 };
    const rewriter = async (): Promise<void> => {
      let n = 0;
      while (Date.now() < end) {
        await sleep(opts.rewriteEveryMs);
        if (Date.now() >= end) break;
        n++;
        if (n % 2 === 0) {
          // Editors and `pulumi up` replace the file by rename.
          await writeFile(file + ".tmp", JSON.stringify(routerConfig(urls, n), null, 2));
          await rename(file + ".tmp", file);
          rewrites.valid++;
        } else {
          await writeFile(file, invalidConfigText(urls, n));
          rewrites.invalid++;
        }
      }
      // End on a valid file.
      await writeFile(file + ".tmp", JSON.stringify(routerConfig(urls, 0), null, 2));
      await rename(file + ".tmp", file);
    };

    await Promise.all([...Array.from({ length: opts.clients }, () => worker()), flapper(), rewriter()]);
    for (const f of fakes) if (!f.running) await f.start();

    // Settle: whatever a gone client left running upstream must end on its own account.
    let leftOpen = 0;
    let idle = 0;
    const settleEnd = Date.now() + 3_000;
    for (;;) {
      const stats = await Promise.all(fakes.map((f) => f.stats()));
      leftOpen = stats.reduce((sum, s) => sum + (s ? s.stats.inFlight + s.stats.activeGenerations : 0), 0);
      idle = stats.reduce((sum, s) => sum + (s?.stats.openConnections ?? 0), 0);
      if (leftOpen === 0 || Date.now() > settleEnd) break;
      await sleep(100);
    }
    clearInterval(sampler);
    const rssEnd = router.rss() ?? 0;
    const routerAlive = router.running;
    const metrics = routerAlive ? await getText(router.url + "/metrics") : "";
    const mib = (b: number): number => Math.round((b / 1024 / 1024) * 10) / 10;
    const failed = [...verdicts.values()].reduce((a, b) => a + b, 0);
    return {
      seconds: opts.seconds,
      clients: opts.clients,
      sent,
      succeeded,
      abortedByClient: aborted,
      failed,
      failedByReason: Object.fromEntries(verdicts),
      failureSamples: Object.fromEntries(samples),
      failuresWithHealthyAlternative: withAlternative,
      silentTruncations: truncations,
      upstreamLeftOpen: leftOpen,
      upstreamIdleConnections: idle,
      retries: counterSum(metrics, "router_retries_total"),
      ejections: counterSum(metrics, "router_ejections_total"),
      backendKills: kills,
      configRewrites: {
        ...rewrites,
        reloadsOk: counterSum(metrics, "router_config_reloads_total", 'result="ok"'),
        reloadsRejected: counterSum(metrics, "router_config_reloads_total", 'result="rejected"'),
      },
      routerAlive,
      rssMiB: { start: mib(rssStart), peak: mib(rssPeak), end: mib(rssEnd) },
    };
  } finally {
    await agent.close().catch(() => undefined);
    await router.stop().catch(() => undefined);
    await Promise.all(fakes.map((f) => f.stop().catch(() => undefined)));
    killAll();
    await rm(dir, { recursive: true, force: true });
  }
}
