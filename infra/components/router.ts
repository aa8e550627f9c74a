// The router on each of its hosts: the config file delivery and the container, as separate resources.
// The container mounts the directory read-only and never sees the file's content as an input, so a new
// alias table changes only the delivery resource and the router hot-reloads it.
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { RouterConfigInput } from "../../router/config/schema.js";
import type { RouterConfigDelivery } from "../specs/stack.js";
import type { ContainerSpec } from "../specs/types.js";
import { sha256Hex } from "../specs/routerConfig.js";
import { shellWord } from "../specs/shell.js";
import { addContainer } from "./container.js";
import type { HostProviders } from "./dockerHosts.js";
import { hostCommand } from "./hostCommand.js";

/** Writes stdin to the file atomically (temp file + rename), so a reload never reads half a file. */
function writeFileScript(dir: string, file: string): string {
  return `set -eu; umask 022; mkdir -p ${shellWord(dir)}; tmp=${shellWord(`${file}.tmp`)}; cat > "$tmp"; mv -f "$tmp" ${shellWord(file)}`;
}

export interface RouterDeploymentArgs {
  containers: ContainerSpec[];
  deliveries: RouterConfigDelivery[];
  providers: HostProviders;
}

/**
 * The type token is the one this component had when it was called `Router`: a resource's URN is built
 * from it, so keeping it keeps every deployed router (and its children) in place.
 */
export class RouterDeployment extends pulumi.ComponentResource {
  readonly containers: docker.Container[] = [];
  readonly configDeliveries: pulumi.CustomResource[] = [];
  /** The rendered config per router host (identical apart from local-host addressing). */
  readonly configs: Record<string, RouterConfigInput> = {};

  constructor(name: string, args: RouterDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aistack:router:Router", name, {}, opts);
    for (const d of args.deliveries) {
      // No delete command: on replacement the new file is written before the old resource is deleted.
      const delivery = hostCommand(
        `${name}-${d.host}-config`,
        args.providers.host(d.host),
        {
          create: writeFileScript(d.dir, d.file),
          stdin: d.content,
          // The content hash makes a new table a visible, reviewable change of exactly this resource.
          triggers: [sha256Hex(d.content)],
        },
        args.providers,
        { parent: this, additionalSecretOutputs: ["stdout", "stderr"] },
      );
      this.configDeliveries.push(delivery);
      this.configs[d.host] = d.config;
      const spec = args.containers.find((c) => c.host === d.host);
      // The first start needs the file; later table changes never touch the container.
      if (spec) this.containers.push(addContainer(this, spec, args.providers, [delivery]));
    }
    this.registerOutputs({ configs: this.configs });
  }
}
