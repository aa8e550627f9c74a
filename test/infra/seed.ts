// What the seed's network runs, stated once for the tests that check it from different ends (the pure
// planning functions and the whole program under Pulumi mocks).

/** The environment of the seed's Ollama hosts: the home stack leaves the Ollama settings at their defaults. */
export const SEED_OLLAMA_ENV: Readonly<Record<string, string>> = {
  OLLAMA_CONTEXT_LENGTH: "32768",
  OLLAMA_FLASH_ATTENTION: "1",
  OLLAMA_HOST: "0.0.0.0:11434",
  OLLAMA_KEEP_ALIVE: "30m",
  OLLAMA_MAX_LOADED_MODELS: "1",
  OLLAMA_NUM_PARALLEL: "1",
  OLLAMA_SCHED_SPREAD: "1",
};
