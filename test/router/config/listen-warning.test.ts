// The warning that a listen address change waits for a restart: said when a reload changes where a
// restart would listen, with the address actually served; not when nothing would change (an edit
// back to the served address, an unrelated edit, or a --port/--host that wins over the file).
import { afterEach, describe, expect, it } from "vitest";
import { Router } from "../../../router/server.js";
import { startFakeEngine, type FakeEngine } from "../../../tools/fakes/index.js";
import { config } from "../harness.js";

const WARNING = "listen address changes take effect on restart";

describe("a listen address changed by reloads", () => {
  const open: (Router | FakeEngine)[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((x) => (x instanceof Router ? x.close(0) : x.stop())));
  });

  async function started(
    overrides: boolean,
  ): Promise<{ at: (port: number, model?: string) => ReturnType<typeof config>; router: Router; logs: string[]; serving: number }> {
    const v = await startFakeEngine({ engine: "vllm", models: ["m", "n"] });
    open.push(v);
    const at = (port: number, model = "m") =>
      config({
        backends: { v: { engine: "vllm", url: v.url } },
        aliases: { coder: { targets: [{ backend: "v", model }] } },
        ...{ listen: { host: "127.0.0.1", port } },
      });
    const logs: string[] = [];
    const router = new Router({ config: at(0), logSink: (l) => logs.push(l) });
    open.push(router);
    const url = overrides ? await router.listen(0, "127.0.0.1") : await router.listen();
    return { at, router, logs, serving: Number(new URL(url).port) };
  }

  const warnings = (logs: string[]) =>
    logs
      .map((l) => JSON.parse(l) as { msg: string; serving?: { port: number }; configured?: { port: number } })
      .filter((l) => l.msg === WARNING)
      .map((w) => [w.serving?.port, w.configured?.port]);

  it("is warned about with the address actually served, once per change, and not for an edit back", async () => {
    const { at, router, logs, serving } = await started(false);
    router.reload(at(40101));
    router.reload(at(40102));
    router.reload(at(40102, "n")); // an unrelated edit
    router.reload(at(0)); // back to the address asked for at start
    router.reload(at(0, "m"));
    expect(warnings(logs)).toEqual([
      [serving, 40101],
      [serving, 40102],
    ]);
  });

  it("is not warned about when the command line's address wins over the file's", async () => {
    const { at, router, logs } = await started(true);
    router.reload(at(40101));
    expect(warnings(logs)).toEqual([]);
  });
});
