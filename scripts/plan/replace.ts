// Which input changes make the provider replace a resource rather than update it in place.
//
// Docker (the Pulumi provider is bridged from kreuzwerker/terraform-provider-docker; ForceNew in its
// schema means replace): internal/provider/resource_docker_container.go marks every container
// argument ForceNew except the ones listed below, which `docker update` or the provider's own
// bookkeeping handle in place. resource_docker_image.go (RemoteImage): only keep_locally and
// force_remove are updatable. resource_docker_volume.go has no update at all: any change replaces.
// Command (@pulumi/command 1.x, remote/command.js and local/command.js): the SDK registers every
// Command with replaceOnChanges ["triggers[*]"]; other inputs re-run the update (or create) command.
// Kubernetes (pulumi-kubernetes autonaming tests): a new metadata.name replaces the object; so does a
// move to another namespace or kind.
//
// Unknown inputs of a Container or RemoteImage count as replacing: a plan that warns too much is
// safer than one that hides a restart.

interface ReplaceRule {
  /** Matches a Pulumi type token. */
  type: (token: string) => boolean;
  /** Whether a change at this input path (dot-separated, from the top) forces replacement. */
  replaces: (path: string) => boolean;
  /** Why, in a word or two, for the report. */
  source: string;
}

const top = (path: string): string => path.split(".")[0] ?? path;

/** Container arguments without ForceNew (camelCase, as the Pulumi SDK names them). */
const containerUpdatable: ReadonlySet<string> = new Set([
  "attach",
  "containerReadRefreshTimeoutMilliseconds",
  "cpuPeriod",
  "cpuQuota",
  "cpuSet",
  "cpuShares",
  "destroyGraceSeconds",
  "healthcheck",
  "init",
  "logs",
  "maxRetryCount",
  "memory",
  "memorySwap",
  "mustRun",
  "removeVolumes",
  "restart",
  "rm",
  "start",
  "tmpfs",
  "wait",
  "waitTimeout",
]);

const remoteImageUpdatable: ReadonlySet<string> = new Set(["keepLocally", "forceRemove"]);

const replaceRules: readonly ReplaceRule[] = [
  {
    type: (t) => t === "docker:index/container:Container",
    replaces: (p) => !containerUpdatable.has(top(p)),
    source: "terraform-provider-docker docker_container ForceNew",
  },
  {
    type: (t) => t === "docker:index/remoteImage:RemoteImage",
    replaces: (p) => !remoteImageUpdatable.has(top(p)),
    source: "terraform-provider-docker docker_image ForceNew",
  },
  { type: (t) => t === "docker:index/volume:Volume", replaces: () => true, source: "docker_volume has no update" },
  // A rebuild gives a new image id; whether the provider calls it an update or a replacement, the
  // container that runs it is replaced, and that is what the report warns about.
  { type: (t) => t === "docker:index/image:Image", replaces: () => true, source: "pulumi-docker Image: a new build" },
  {
    type: (t) => t === "command:remote:Command" || t === "command:local:Command",
    replaces: (p) => top(p) === "triggers",
    source: "@pulumi/command replaceOnChanges triggers",
  },
  {
    type: (t) => t.startsWith("kubernetes:") && !t.startsWith("kubernetes:index"),
    replaces: (p) => p === "metadata.name" || p === "metadata.namespace" || p === "apiVersion" || p === "kind",
    source: "pulumi-kubernetes: name, namespace or kind",
  },
];

/** The inputs (of those changed) that force replacement; empty = updated in place. */
export function replacingInputs(type: string, changed: readonly string[]): string[] {
  const rule = replaceRules.find((r) => r.type(type));
  return rule ? changed.filter((p) => rule.replaces(p)) : [];
}

/** Replacing these interrupts a running service or its data; --fail-on-replace looks at these. */
export function isDisruptive(type: string): boolean {
  return type === "docker:index/container:Container" || type === "docker:index/volume:Volume";
}
