// What the fakes' tests share: fakes started and stopped per test, HTTP and SSE helpers.
import { expect } from "vitest";
import { startFakeEngine, type FakeEngine, type FakeEngineOptions } from "../../../tools/fakes/index.js";

const running: FakeEngine[] = [];
export async function fake(options: FakeEngineOptions): Promise<FakeEngine> {
  const engine = await startFakeEngine(options);
  running.push(engine);
  return engine;
}
/** Stops every fake that `fake` started: each test file runs it in its afterEach. */
export async function stopFakes(): Promise<void> {
  await Promise.all(running.splice(0).map((e) => e.stop()));
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}
export async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}
export function sseData(text: string): string[] {
  expect(text.endsWith("\n\n")).toBe(true);
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((frame) => {
      expect(frame.startsWith("data: ")).toBe(true);
      return frame.slice("data: ".length);
    });
}
export function sseEvents(text: string): { event: string; data: Record<string, unknown> }[] {
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((frame) => {
      const [eventLine, dataLine] = frame.split("\n");
      return { event: (eventLine ?? "").replace("event: ", ""), data: JSON.parse((dataLine ?? "").replace("data: ", "")) as Record<string, unknown> };
    });
}
/** Polls a condition (bounded); for state that settles asynchronously, never for durations. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
export const chat = (model: string, content: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model,
  messages: [{ role: "user", content }],
  ...extra,
});
