// The providers every host's resources name (default providers are disabled): one Docker provider per
// host (ssh://user@addr:port with keys from the SSH agent, or the local socket) and one Command provider
// for the scripts run on hosts (the router config file, model pulls).
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { HostConfig, StackConfig } from "../config/schema.js";
import { dockerHostUrl, own } from "../specs/hosts.js";

export interface HostProviders {
  provider(host: string): docker.Provider;
  readonly command: command.Provider;
  /** The host's config; every name the specs use was validated to exist. */
  host(name: string): HostConfig;
}

function knownHost(hosts: StackConfig["hosts"], name: string): HostConfig {
  const h = own(hosts, name);
  // Validation reports unknown hosts (infra/config/checks.ts); reaching this is a program error.
  if (!h) throw new Error(`unknown host ${name}`);
  return h;
}

export class DockerHosts extends pulumi.ComponentResource implements HostProviders {
  private readonly providers = new Map<string, docker.Provider>();
  readonly command: command.Provider;
  private readonly hosts: StackConfig["hosts"];

  constructor(name: string, args: { hosts: StackConfig["hosts"]; used: readonly string[] }, opts?: pulumi.ComponentResourceOptions) {
    super("aistack:hosts:DockerHosts", name, {}, opts);
    this.hosts = args.hosts;
    for (const host of [...new Set(args.used)].sort()) {
      const h = knownHost(args.hosts, host);
      this.providers.set(
        host,
        new docker.Provider(`${name}-${host}`, { host: dockerHostUrl(h), ...(h.kind === "ssh" ? { sshOpts: ["-o", "BatchMode=yes"] } : {}) }, { parent: this }),
      );
    }
    this.command = new command.Provider(`${name}-command`, {}, { parent: this });
    this.registerOutputs({});
  }

  provider(host: string): docker.Provider {
    const p = this.providers.get(host);
    if (!p) throw new Error(`no Docker provider for host ${host}`);
    return p;
  }

  host(name: string): HostConfig {
    return knownHost(this.hosts, name);
  }
}
