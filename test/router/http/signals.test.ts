// SIGTERM and SIGINT follow one rule: the first starts the drain, a second keeps it (streams still end
// with the drain's in-band error), a third forces exit; each said in the log.
import { EventEmitter } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { onStopSignals } from "../../../router/http/signals.js";
import { Logger } from "../../../router/telemetry/log.js";
import { startFakeEngine, type FakeEngine } from "../../../tools/fakes/index.js";
import { fastHealth, until } from "../harness.js";
import { spawnRouter, type RouterProcess } from "../hostile/process.js";

describe("stop signals", () => {
  it("drain on the first, keep draining on the second, force on the third, whichever signal", () => {
    const source = new EventEmitter();
    const logs: string[] = [];
    const calls: string[] = [];
    onStopSignals(source, new Logger("info", (l) => logs.push(l)), {
      drain: (s) => calls.push(`drain ${s}`),
      force: (s) => calls.push(`force ${s}`),
      inFlight: () => 2,
    });
    source.emit("SIGTERM");
    source.emit("SIGINT");
    expect(calls).toEqual(["drain SIGTERM"]);
    expect(logs.join("\n")).toContain("already draining");
    source.emit("SIGTERM");
    expect(calls).toEqual(["drain SIGTERM", "force SIGTERM"]);
    expect(logs.at(-1)).toContain("forced exit");
  });

  describe("the real process", () => {
    let fake: FakeEngine | undefined;
    let p: RouterProcess | undefined;
    afterEach(async () => {
      await p?.stop();
      await fake?.stop();
    });

    async function streaming(): Promise<{ body: Promise<string> }> {
      fake = await startFakeEngine({ engine: "vllm", models: ["m"] });
      p = await spawnRouter(
        JSON.stringify({
          health: fastHealth,
          drainMs: 1_000,
          backends: { v: { engine: "vllm", url: fake.url } },
          aliases: { coder: { targets: [{ backend: "v", model: "m" }] } },
        }),
      );
      const url = p.url;
      const up = async (): Promise<boolean> =>
        ((await (await fetch(`${url}/status.json`)).json()) as { backends: { health: string }[] }).backends[0]?.health === "up";
      for (let i = 0; i < 200 && !(await up()); i++) await new Promise((r) => setTimeout(r, 50));
      fake.faults.set({ mode: "stall-after-headers" });
      const body = fetch(`${p.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "coder", stream: true, messages: [{ role: "user", content: "x" }] }),
      }).then((r) => r.text());
      const f = fake;
      await until(() => f.stats.inFlight === 1, "the stream under way", 20_000);
      return { body };
    }

    it("a second SIGTERM keeps the drain: the stream ends with the in-band error, exit 0", { timeout: 60_000 }, async () => {
      const { body } = await streaming();
      const proc = p as RouterProcess;
      proc.child.kill("SIGTERM");
      await until(() => proc.count("draining") === 1, "the drain", 10_000);
      proc.child.kill("SIGTERM");
      await until(() => proc.count("already draining") === 1, "the second signal said", 10_000);
      expect(await body).toMatch(/shutting down/);
      expect(await proc.exited).toBe(0);
    });

    it("a third signal forces exit, said in the log", { timeout: 60_000 }, async () => {
      const { body } = await streaming();
      // The forced exit cuts the stream: its rejection is expected, and handled before it happens.
      const cut = body.catch(() => "");
      const proc = p as RouterProcess;
      proc.child.kill("SIGINT");
      await until(() => proc.count("draining") === 1, "the drain", 10_000);
      proc.child.kill("SIGTERM");
      await until(() => proc.count("already draining") === 1, "the second signal said", 10_000);
      proc.child.kill("SIGTERM");
      expect(await proc.exited).toBe(1);
      expect(proc.out()).toContain("forced exit");
      await cut;
    });
  });
});
