// Holds a model load open: Ollama loads a model by starting a runner subprocess
// (`ollama runner [--ollama-engine] --model <blob> --port N`, llm/server.go StartRunner) and then
// polls it until it answers (waitUntilRunnerLaunched, no deadline but the request's own context)
// before sending it the load, itself a plain HTTP call without a timeout. A runner stopped with
// SIGSTOP as soon as it appears never answers, so the load stays in progress for as long as the
// test wants, however small the model. (Once the weights are committed, WaitUntilRunning gives up
// after OLLAMA_LOAD_TIMEOUT, 5 minutes by default, without progress: far beyond these tests.)

import { readFileSync, readdirSync } from "node:fs";

/** The argument vector of a /proc/<pid>/cmdline read (NUL-separated, trailing NUL). */
export function parseCmdline(raw: string): string[] {
  return raw.split("\0").filter((a) => a !== "");
}

/**
 * True for a runner that loads a model. Serve also starts runners without `--model` to discover
 * devices (discover/runner.go); those are left alone.
 */
export function isModelRunner(argv: readonly string[]): boolean {
  return argv[1] === "runner" && argv.includes("--model");
}

/** Direct children of `pid`, from every thread's children list (Linux, /proc). */
function childPids(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").split(" ")) if (c.trim() !== "") out.push(Number(c));
    } catch {
      // The thread ended between listing and reading.
    }
  }
  return out;
}

function argvOf(pid: number): string[] {
  try {
    return parseCmdline(readFileSync(`/proc/${pid}/cmdline`, "utf8"));
  } catch {
    return [];
  }
}

/** The one-letter state of a process (`T` = stopped), or undefined once it is gone. */
export function processState(pid: number): string | undefined {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return undefined;
  }
}

/** Resolves once `pid` is in the stopped state (or gone, which the caller then sees). */
async function stopped(pid: number, intervalMs: number): Promise<void> {
  for (;;) {
    const state = processState(pid);
    if (state === undefined || state === "T") return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface RunnerTrap {
  /** Resolves with the stopped runner's pid and argument vector. */
  readonly caught: Promise<{ pid: number; argv: string[] }>;
  /** Stops polling; a caught runner is killed (SIGCONT first, so nothing stays stopped). */
  release(): void;
}

/** Polls `servePid`'s children every `intervalMs` and SIGSTOPs the first model runner seen. */
export function trapModelRunner(servePid: number, intervalMs = 5): RunnerTrap {
  let runner: number | undefined;
  let resolveCaught!: (v: { pid: number; argv: string[] }) => void;
  const caught = new Promise<{ pid: number; argv: string[] }>((r) => (resolveCaught = r));
  const timer = setInterval(() => {
    for (const pid of childPids(servePid)) {
      const argv = argvOf(pid);
      if (!isModelRunner(argv)) continue;
      try {
        process.kill(pid, "SIGSTOP");
      } catch {
        continue;
      }
      runner = pid;
      clearInterval(timer);
      // The signal is delivered asynchronously: report the runner once the kernel shows it stopped.
      void stopped(pid, intervalMs).then(() => resolveCaught({ pid, argv }));
      return;
    }
  }, intervalMs);
  return {
    caught,
    release() {
      clearInterval(timer);
      // Only while the pid still names a model runner: once it is gone the pid may be reused.
      if (runner === undefined || !isModelRunner(argvOf(runner))) return;
      for (const sig of ["SIGCONT", "SIGKILL"] as const) {
        try {
          process.kill(runner, sig);
        } catch {
          // Already gone with its engine.
        }
      }
    },
  };
}
