// What `npm run drift` compares: the desired state (from the stack config), the live state (read from the
// hosts and engines), and the findings. All plain JSON, so a recorded live state is a test fixture.

/** An environment value: its digest always; its text only when it is not a secret. */
export interface EnvValue {
  sha256: string;
  /** Absent for secrets: a secret's value never leaves the reader, not even in a diff. */
  value?: string;
}

export interface Mount {
  type: "volume" | "bind";
  /** The volume name, or the host path of a bind. */
  source: string;
  target: string;
  readOnly: boolean;
}

export interface Port {
  internal: number;
  external: number;
}

export interface DesiredContainer {
  name: string;
  /** The stack's component: an engine's backend name, "open-webui", "kokoro", "router". */
  owner: string;
  /** The image reference the stack pins (or the tag built on the host). */
  image: string;
  /** The image is built on the host (`image` is the tag it gets), not pulled from a registry. */
  built?: true;
  command?: string[];
  entrypoint?: string[];
  env: Record<string, EnvValue>;
  ports: Port[];
  mounts: Mount[];
  restart: string;
  /** Docker's --gpus value (`all`, `device=0,1`); absent = CPU only. */
  gpus?: string;
}

interface DesiredOllama {
  backend: string;
  container: string;
  url: string;
  models: string[];
}

export interface DesiredServed {
  backend: string;
  engine: "vllm" | "llamacpp";
  container: string;
  url: string;
  /** The model names the server must list on /v1/models. */
  models: string[];
}

interface DesiredRouter {
  container: string;
  url: string;
  file: string;
  /** sha256 of the config file the stack delivers. */
  sha256: string;
  /** URN of the delivery resource (`router-<host>-config`). */
  urn: string;
}

export interface DesiredHost {
  name: string;
  /** The Docker endpoint the program's provider uses: `ssh://user@addr:port` or the local socket. */
  docker: string;
  ssh?: { user: string; address: string; port: number };
  containers: DesiredContainer[];
  ollama: DesiredOllama[];
  served: DesiredServed[];
  routers: DesiredRouter[];
}

export interface DesiredState {
  stack: string;
  /** Labels every container of the stack carries (`docker ps --filter label=...`). */
  labels: Record<string, string>;
  hosts: DesiredHost[];
}

export interface LiveContainer {
  name: string;
  /** Docker's State.Status: running, exited, created, restarting, paused, dead. */
  status: string;
  /** The image id it runs, and the reference it was created from. */
  imageId: string;
  imageRef: string;
  command: string[];
  entrypoint: string[];
  env: Record<string, EnvValue>;
  /** Env names (and digests) the image itself sets: not drift when the container carries them. Absent: the image is unknown. */
  imageEnv?: Record<string, string>;
  ports: Port[];
  mounts: Mount[];
  restart: string;
  gpus?: string;
}

/** What an HTTP API read gave: the parsed list, or why it could not be read. */
export type Read<T> = { ok: true; value: T } | { ok: false; error: string };

export interface LiveRouter {
  /** From /status.json (absent when the router does not run): the loaded config's version and, when the router reports it, its sha256. */
  status?: Read<{ version: number; sha256?: string; rejected: boolean }>;
  /** The config file on the host: its sha256, or null when it is not there. */
  file: Read<string | null>;
}

export interface LiveHost {
  name: string;
  /** The host (its Docker engine) could not be read: nothing else below is known. */
  unreachable?: string;
  /** The declared containers found, by name. */
  containers: Record<string, LiveContainer>;
  /** Image ids the pinned references resolve to on the host (absent: not on the host). */
  images: Record<string, string>;
  /** Every container carrying the stack's labels. */
  labelled: string[];
  /** Ollama /api/tags, vLLM/llama.cpp /v1/models, router status, by container name. */
  models: Record<string, Read<string[]>>;
  routers: Record<string, LiveRouter>;
}

export type FindingKind =
  | "host-unreachable"
  | "engine-unreachable"
  | "container-missing"
  | "container-stopped"
  | "image"
  | "command"
  | "env"
  | "ports"
  | "mounts"
  | "restart-policy"
  | "gpus"
  | "model-missing"
  | "model-extra"
  | "served-model"
  | "router-config"
  | "foreign-container";

export interface Finding {
  kind: FindingKind;
  host: string;
  /** The container (or backend) it is about. */
  subject: string;
  /** What the stack says, and what runs. Never a secret's value. */
  stack: string;
  live: string;
  /** The command that brings it back (or what to check, when nothing was read). */
  fix: string;
}

/** Kinds that mean something could not be read: the run's verdict is incomplete (exit 2). */
export const unreadableKinds: ReadonlySet<FindingKind> = new Set(["host-unreachable", "engine-unreachable"]);
