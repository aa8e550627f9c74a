// One JSON line per request on stdout; never prompts, completions or keys.
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface RequestLogLine {
  ts: string;
  level: Exclude<LogLevel, "silent">;
  msg: "request";
  id: string;
  face: string;
  method: string;
  path: string;
  alias?: string;
  key?: string;
  backend?: string;
  model?: string;
  status: number;
  stream?: boolean;
  attempts: number;
  ms: number;
  ttfbMs?: number;
  /** Present when the output limit was lowered to fit the target's context: what was sent, and asked for. */
  maxTokens?: number;
  maxTokensRequested?: number;
  outcome: string;
  error?: string;
}

export type LogSink = (line: string) => void;

export class Logger {
  constructor(
    public level: LogLevel,
    private readonly sink: LogSink = (l) => process.stdout.write(l + "\n"),
  ) {}

  enabled(level: Exclude<LogLevel, "silent">): boolean {
    return rank[level] >= rank[this.level];
  }

  request(line: RequestLogLine): void {
    if (this.enabled(line.level)) this.sink(JSON.stringify(line));
  }

  event(level: Exclude<LogLevel, "silent">, msg: string, fields: Record<string, unknown> = {}): void {
    if (this.enabled(level)) this.sink(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields }));
  }
}
