// The purpose-built client for what wrk cannot measure: time to first token and the gap between
// chunks of a stream, many concurrent streams held at once, and a client that walks away mid-stream.
// It measures from outside the system under test, on the monotonic clock.
import http from "node:http";
import { nsToMs } from "./stats.js";

export interface StreamTarget {
  url: string;
  headers: Record<string, string>;
  /** Builds the JSON body for a streamed request carrying the given directive text. */
  body(text: string): string;
}

export interface StreamTiming {
  status: number;
  ttftMs: number;
  /** Milliseconds between consecutive token-bearing reads. */
  gapsMs: number[];
  complete: boolean;
}

/** The marker every token carries in both dialects ("tok " from the fake upstream). */
const TOKEN = "tok";
const END_MARKS = ["[DONE]", "message_stop"];

export function streamOnce(target: StreamTarget, text: string, agent: http.Agent | false, timeoutMs: number, timeTokens: boolean): Promise<StreamTiming> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let first = -1;
    let last = 0n;
    const gaps: number[] = [];
    let tail = "";
    const payload = target.body(text);
    const req = http.request(target.url, { method: "POST", agent, headers: { ...target.headers, "content-length": Buffer.byteLength(payload) } }, (res) => {
      res.setEncoding("utf8");
      res.on("data", (s: string) => {
        if (timeTokens || first < 0) {
          // Chunk boundaries can split a token marker; the carried tail joins it back.
          const seen = tail + s;
          if (seen.includes(TOKEN)) {
            const now = process.hrtime.bigint();
            if (first < 0) first = nsToMs(now - t0);
            else if (timeTokens) gaps.push(nsToMs(now - last));
            last = now;
          }
        }
        tail = (tail + s).slice(-24);
      });
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, ttftMs: first, gapsMs: gaps, complete: END_MARKS.some((m) => tail.includes(m)) });
      });
      res.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`stream not finished within ${timeoutMs} ms`)), timeoutMs);
    req.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(payload);
  });
}

export interface TtftResult {
  ttftMs: number[];
  /** Per stream, the median gap between token reads. */
  gapMedianMs: number[];
  failures: number;
}

/** Streams one after another (one in flight) for time to first token and chunk gaps. */
export async function ttftSeries(target: StreamTarget, count: number, chunks: number, paceMs: number): Promise<TtftResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const out: TtftResult = { ttftMs: [], gapMedianMs: [], failures: 0 };
  try {
    for (let i = 0; i < count; i++) {
      try {
        const t = await streamOnce(target, `bench chunks=${chunks} pace=${paceMs}`, agent, 10_000 + chunks * paceMs, true);
        if (t.status !== 200 || !t.complete || t.ttftMs < 0) {
          out.failures++;
          continue;
        }
        out.ttftMs.push(t.ttftMs);
        const g = [...t.gapsMs].sort((a, b) => a - b);
        if (g.length > 0) out.gapMedianMs.push(g[g.length >> 1]!);
      } catch {
        out.failures++;
      }
    }
  } finally {
    agent.destroy();
  }
  return out;
}

export interface HoldResult {
  completed: number;
  failed: number;
  ttftMs: number[];
  firstError: string | undefined;
}

/** Opens `count` streams at once, each on its own connection, and waits for all of them. */
export async function holdStreams(target: StreamTarget, count: number, chunks: number, paceMs: number): Promise<HoldResult> {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const timeoutMs = 30_000 + chunks * paceMs;
  const text = `bench chunks=${chunks} pace=${paceMs}`;
  const out: HoldResult = { completed: 0, failed: 0, ttftMs: [], firstError: undefined };
  const runs = Array.from({ length: count }, () =>
    streamOnce(target, text, agent, timeoutMs, false).then(
      (t) => {
        if (t.status === 200 && t.complete) {
          out.completed++;
          out.ttftMs.push(t.ttftMs);
        } else {
          out.failed++;
          out.firstError ??= `status ${t.status}${t.complete ? "" : ", stream not finished"}`;
        }
      },
      (e: unknown) => {
        out.failed++;
        out.firstError ??= e instanceof Error ? e.message : String(e);
      },
    ),
  );
  await Promise.all(runs);
  agent.destroy();
  return out;
}

export interface Disconnect {
  id: string;
  /** hrtime (ns) when the client destroyed its connection; undefined when the trial failed early. */
  leftAtNs: bigint | undefined;
}

/** Starts a long stream, waits for its first token, then drops the connection. */
export function disconnectOnce(target: StreamTarget, id: string, chunks: number, paceMs: number): Promise<Disconnect> {
  return new Promise((resolve) => {
    const payload = target.body(`bench chunks=${chunks} pace=${paceMs} id=${id}`);
    let done = false;
    const finish = (leftAtNs: bigint | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ id, leftAtNs });
    };
    const req = http.request(
      target.url,
      { method: "POST", agent: false, headers: { ...target.headers, "content-length": Buffer.byteLength(payload) } },
      (res) => {
        let seen = "";
        res.setEncoding("utf8");
        res.on("data", (s: string) => {
          seen = (seen + s).slice(-64);
          if (!done && seen.includes(TOKEN)) {
            const at = process.hrtime.bigint();
            req.destroy();
            finish(at);
          }
        });
        res.on("end", () => finish(undefined));
        res.on("error", () => undefined);
      },
    );
    req.on("error", () => finish(undefined));
    const timer = setTimeout(() => {
      req.destroy();
      finish(undefined);
    }, 10_000);
    req.end(payload);
  });
}

export interface PostsResult {
  /** Status of each answered request. */
  statuses: number[];
  /** Requests that got no answer (connection error, timeout). */
  failed: number;
  firstError: string | undefined;
}

/** Sends the same (large) body `count` times at once, each on its own connection, and waits for every answer. */
export async function postConcurrently(url: string, headers: Record<string, string>, payload: Buffer, count: number, timeoutMs: number): Promise<PostsResult> {
  const out: PostsResult = { statuses: [], failed: 0, firstError: undefined };
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      let done = false;
      const settle = (r: number | Error): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (typeof r === "number") out.statuses.push(r);
        else {
          out.failed++;
          out.firstError ??= r.message;
        }
        resolve();
      };
      let status: number | undefined;
      const req = http.request(url, { method: "POST", agent: false, headers: { ...headers, "content-length": payload.length } }, (res) => {
        status = res.statusCode ?? 0;
        res.resume();
        res.on("end", () => settle(res.statusCode ?? 0));
        res.on("error", () => settle(res.statusCode ?? 0));
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      // A refusal may come before the upload ended and cut it: the status line counts as the answer.
      req.on("error", (e) => settle(status ?? e));
      req.end(payload);
    });
  await Promise.all(Array.from({ length: count }, one));
  return out;
}
