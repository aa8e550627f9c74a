// The stack config: what a user writes in stacks/Pulumi.<env>.yaml under the `aistack:` namespace.
// Strict objects everywhere, so a typo is an error with a path rather than a silently ignored key.
import { z } from "zod";
import { aliasSchema, nameSchema } from "../../router/config/schema.js";

const port = z.number().int().min(1).max(65535);
/** A tag or digest is required: `latest` drifts and would replace containers behind the user's back. */
const pinnedImage = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._\-/:]*(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$/, "must be a pinned image reference (registry/name:tag or @sha256:...)")
  .refine((s) => !s.endsWith(":latest"), "must not use the floating :latest tag");
/**
 * A DNS name or IPv4 address: it becomes the host part of http:// URLs the router and Open WebUI use, of
 * the ssh:// Docker endpoint, and a Kubernetes ExternalName, so anything else (spaces, paths, IPv6 without
 * brackets) would only fail later, far from its cause.
 */
const hostAddress = z
  .string()
  .regex(
    /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
    "must be a host name or IPv4 address such as 10.0.0.11",
  );
const absolutePath = z.string().regex(/^(\/|~\/)/, "must be an absolute path (or ~/... on a local host)");

/** GPUs a host offers: none, all, or a device list ("0", "1" or GPU UUIDs). */
const gpusSchema = z.union([z.literal("none"), z.literal("all"), z.array(z.string().min(1)).min(1)], {
  error: 'must be "none", "all" or a list of device ids such as ["0","1"]',
});
export type Gpus = z.infer<typeof gpusSchema>;

export const hostSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("ssh").default("ssh"),
    address: hostAddress,
    /** The key comes from the user's SSH agent or ~/.ssh/config; nothing secret lives here. */
    user: z.string().min(1).default("root"),
    sshPort: port.default(22),
    arch: z.enum(["amd64", "arm64"]).default("amd64"),
    gpus: gpusSchema.default("none"),
    /** Where bind-mounted files (the router config) live on the host. */
    dataDir: absolutePath.default("/opt/aistack"),
  }),
  z.strictObject({
    kind: z.literal("local"),
    /** How other containers and the router reach services on this host. */
    address: hostAddress.default("127.0.0.1"),
    arch: z.enum(["amd64", "arm64"]).default("amd64"),
    gpus: gpusSchema.default("none"),
    dataDir: absolutePath.default("~/.aistack"),
    /** The local Docker endpoint. */
    socket: z.string().min(1).default("unix:///var/run/docker.sock"),
  }),
]);
export type HostConfig = z.infer<typeof hostSchema>;

/** Ollama settings; the defaults are the seed network's values. */
const ollamaSettingsSchema = z
  .strictObject({
    host: z.string().default("0.0.0.0:11434"),
    keepAlive: z.string().default("30m"),
    maxLoadedModels: z.number().int().positive().default(1),
    contextLength: z.number().int().positive().default(32768),
    flashAttention: z.boolean().default(true),
    numParallel: z.number().int().positive().default(1),
    schedSpread: z.boolean().default(true),
  })
  .prefault({});

const vllmSettingsSchema = z.strictObject({
  /** Hugging Face repo id or a path inside the container. */
  model: z.string().min(1),
  servedModelName: z.string().min(1).optional(),
  maxModelLen: z.number().int().positive().optional(),
  gpuMemoryUtilization: z.number().gt(0).max(1).default(0.9),
  extraArgs: z.array(z.string()).default([]),
  /** Two or more hosts: Ray head on the first, workers on the rest, tensor parallel across all. */
  cluster: z
    .strictObject({
      /** The NIC NCCL and Gloo use between the nodes (a DGX Spark's ConnectX port). */
      networkInterface: z.string().min(1),
      rayPort: port.default(6379),
      /** GPUs per node; tensor parallel size = nodes × this. */
      gpusPerNode: z.number().int().positive().default(1),
    })
    .optional(),
});

const llamacppSettingsSchema = z
  .strictObject({
    /** A GGUF path inside the container (mounted from the models volume) ... */
    modelPath: z.string().min(1).optional(),
    /** ... or a Hugging Face repo (`org/repo[:quant]`) the server downloads. */
    hfRepo: z.string().min(1).optional(),
    /** The name clients and aliases use. */
    alias: z.string().min(1),
    contextSize: z.number().int().positive().default(32768),
    gpuLayers: z.number().int().min(-1).default(999),
    parallel: z.number().int().positive().default(1),
    extraArgs: z.array(z.string()).default([]),
  })
  .refine((s) => (s.modelPath === undefined) !== (s.hfRepo === undefined), "set exactly one of modelPath or hfRepo");

const backendCommon = {
  hosts: z.array(nameSchema).min(1),
  port,
  image: pinnedImage,
  /** Subset of the host's GPUs; absent = all the host offers. "none" runs on CPU. */
  gpus: gpusSchema.optional(),
};

export const backendSchema = z.discriminatedUnion("engine", [
  z.strictObject({ engine: z.literal("ollama"), ...backendCommon, models: z.array(z.string().min(1)).default([]), ollama: ollamaSettingsSchema }),
  z.strictObject({ engine: z.literal("vllm"), ...backendCommon, vllm: vllmSettingsSchema }),
  z.strictObject({ engine: z.literal("llamacpp"), ...backendCommon, llamacpp: llamacppSettingsSchema }),
]);

const openWebUISchema = z.strictObject({
  host: nameSchema,
  port: port.default(8080),
  image: pinnedImage,
  settings: z
    .strictObject({
      enableApiKeys: z.boolean().default(true),
      enableSignup: z.boolean().default(false),
      customModelFallback: z.boolean().default(true),
      /** Absent: https://<ingress domain> when ingress is on, else http://<host address>:<port>. */
      webuiUrl: z.url().optional(),
      ttsVoice: z.string().default("af_heart"),
    })
    .prefault({}),
  /** Extra environment, applied last. */
  env: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name"), z.string()).default({}),
});

const kokoroSchema = z.strictObject({
  host: nameSchema,
  port: port.default(8880),
  image: pinnedImage,
  gpu: z.boolean().default(false),
});

/** One router.apiKeys entry: a key's name and scope; its value lives under secrets.apiKeys.<name>. */
const routerApiKeySchema = z.strictObject({ name: nameSchema, aliases: z.array(nameSchema).optional() });

export const routerSchema = z.strictObject({
  hosts: z.array(nameSchema).min(1),
  port: port.default(4000),
  /** A published router image to pull. Absent: each router host builds router/Dockerfile from this repository. */
  image: pinnedImage.optional(),
  /** The Node image the build starts from (router/Dockerfile's NODE_IMAGE build-arg); only for a built image. */
  baseImage: pinnedImage.optional(),
  /** Key names and scopes; the keys themselves are secrets under `secrets.apiKeys.<name>`. */
  apiKeys: z.array(routerApiKeySchema).default([]),
  /**
   * How long a stopping router lets requests in flight finish (the router's drainMs; absent: its default).
   * The container gets this long plus a margin to stop before Docker kills it.
   */
  drainMs: z.number().int().min(0).max(3_600_000).optional(),
  aliases: z.record(nameSchema, aliasSchema),
  claudeModels: z
    .strictObject({ haiku: nameSchema.optional(), sonnet: nameSchema.optional(), opus: nameSchema.optional(), default: nameSchema.optional() })
    .optional(),
});

export const ingressSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** kubeconfig context; the kubeconfig itself (if not the default) is `secrets.kubeconfig`. */
  context: z.string().min(1).optional(),
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS-1123 label")
    .default("aistack"),
  domain: z.string().min(1).optional(),
  entryPoint: z.string().min(1).default("websecure"),
  certResolver: z.string().min(1).optional(),
});

/** One secrets.apiKeys value. */
export const apiKeySecretSchema = z.string().min(16, "an API key must be at least 16 characters");

export const secretsSchema = z
  .strictObject({
    hfToken: z.string().min(1).optional(),
    kubeconfig: z.string().min(1).optional(),
    apiKeys: z.record(nameSchema, apiKeySecretSchema).default({}),
    webuiSecretKey: z.string().min(16).optional(),
  })
  .prefault({});

export const stackConfigSchema = z.strictObject({
  hosts: z.record(nameSchema, hostSchema).refine((h) => Object.keys(h).length > 0, "declare at least one host"),
  backends: z.record(nameSchema, backendSchema).default({}),
  openWebUI: openWebUISchema.optional(),
  kokoro: kokoroSchema.optional(),
  router: routerSchema,
  ingress: ingressSchema.prefault({}),
  secrets: secretsSchema,
});
export type StackConfig = z.infer<typeof stackConfigSchema>;

/** Top-level keys under the project namespace, with the description Pulumi.yaml declares for each. */
export const stackConfigKeys = ["hosts", "backends", "openWebUI", "kokoro", "router", "ingress", "secrets"] as const;
