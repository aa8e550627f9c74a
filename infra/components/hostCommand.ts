// A script run on a host: in a local shell for a `local` host, over SSH (keys from the agent) otherwise.
import * as command from "@pulumi/command";
import type * as pulumi from "@pulumi/pulumi";
import type { HostConfig } from "../config/schema.js";
import type { HostProviders } from "./dockerHosts.js";

export interface HostCommandArgs {
  create: string;
  stdin?: pulumi.Input<string>;
  /** A change replaces the resource (runs `create` again). */
  triggers?: unknown[];
}

export interface HostCommandOptions {
  parent: pulumi.Resource;
  dependsOn?: pulumi.Resource[];
  additionalSecretOutputs?: string[];
}

/** Docker CLI calls in a local script go to the host's configured socket, not whatever DOCKER_HOST says. */
export function localDockerEnv(host: HostConfig): Record<string, string> {
  return host.kind === "local" ? { DOCKER_HOST: host.socket } : {};
}

export function hostCommand(
  name: string,
  host: HostConfig,
  args: HostCommandArgs,
  providers: HostProviders,
  opts: HostCommandOptions,
  env: Record<string, string> = {},
): pulumi.CustomResource {
  const o = { ...opts, provider: providers.command };
  const environment = Object.keys(env).length ? { environment: env } : {};
  return host.kind === "local"
    ? new command.local.Command(name, { ...args, ...environment, interpreter: ["/bin/sh", "-c"] }, o)
    : new command.remote.Command(name, { ...args, ...environment, connection: { host: host.address, port: host.sshPort, user: host.user } }, o);
}
