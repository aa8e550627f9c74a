// The router on each of its hosts: the config file delivery and the container, as separate resources.
// The container mounts the directory read-only and never sees the file's content as an input, so a new
// alias table changes only the delivery resource and the router hot-reloads it.
import * as command from "@pulumi/command";
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { RouterConfigInput } from "../../router/config/schema.js";
import type { StackConfig } from "../config/schema.js";
import type { RouterConfigDelivery } from "../plan/stack.js";
import type { ContainerSpec } from "../plan/types.js";
import { sha256Hex } from "../plan/routerConfig.js";
import { addContainer, type HostProviders } from "./container.js";

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Writes stdin to the file atomically (temp file + rename), so a reload never reads half a file. */
export function writeFileScript(dir: string, file: string): string {
  return `set -eu; umask 022; mkdir -p ${q(dir)}; tmp=${q(`${file}.tmp`)}; cat > "$tmp"; mv -f "$tmp" ${q(file)}`;
}

export interface RouterArgs {
  hosts: StackConfig["hosts"];
  containers: ContainerSpec[];
  deliveries: RouterConfigDelivery[];
  providers: HostProviders;
}

export class Router extends pulumi.ComponentResource {
  readonly containers: docker.Container[] = [];
  readonly configDeliveries: pulumi.CustomResource[] = [];
  /** The rendered config per router host (identical apart from local-host addressing). */
  readonly configs: Record<string, RouterConfigInput> = {};

  constructor(name: string, args: RouterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aistack:router:Router", name, {}, opts);
    for (const d of args.deliveries) {
      const host = args.hosts[d.host];
      if (!host) continue;
      const common = {
        create: writeFileScript(d.dir, d.file),
        stdin: d.content,
        // The content hash makes a new table a visible, reviewable change of exactly this resource.
        triggers: [sha256Hex(d.content)],
      };
      // No delete command: on replacement the new file is written before the old resource is deleted.
      const secretStreams = { parent: this, additionalSecretOutputs: ["stdout", "stderr"] };
      const delivery =
        host.kind === "local"
          ? new command.local.Command(`${name}-${d.host}-config`, { ...common, interpreter: ["/bin/sh", "-c"] }, secretStreams)
          : new command.remote.Command(
              `${name}-${d.host}-config`,
              { ...common, connection: { host: host.address, port: host.sshPort, user: host.user } },
              secretStreams,
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
