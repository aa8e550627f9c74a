// What `npm run e2e` (scripts/e2e/main.ts) hands the suite about the engine it started.

export interface E2eEnv {
  ollamaUrl: string;
  ollamaLog: string;
  /** Two installed models; requesting one evicts the other (OLLAMA_MAX_LOADED_MODELS=1). */
  models: [string, string];
  keepAliveS: number;
  workDir: string;
  /** The engine binary and the serving process's id: a scenario may kill it and start it again. */
  ollamaBinary: string;
  ollamaPid: number;
}

export function e2eEnv(env: NodeJS.ProcessEnv = process.env): E2eEnv {
  const url = env.AISTACK_E2E_OLLAMA_URL;
  const log = env.AISTACK_E2E_OLLAMA_LOG;
  const models = (env.AISTACK_E2E_MODELS ?? "").split(",").filter(Boolean);
  const workDir = env.AISTACK_E2E_WORKDIR;
  if (!url || !log || models.length < 2 || !workDir) {
    throw new Error("the end-to-end suite needs a running engine: start it with `npm run e2e`, not vitest directly");
  }
  return {
    ollamaUrl: url,
    ollamaLog: log,
    models: [models[0] as string, models[1] as string],
    keepAliveS: Number(env.AISTACK_E2E_KEEP_ALIVE_S ?? "5"),
    workDir,
    ollamaBinary: env.AISTACK_E2E_OLLAMA_BIN ?? "",
    ollamaPid: Number(env.AISTACK_E2E_OLLAMA_PID ?? "0"),
  };
}
