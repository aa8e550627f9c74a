// One explicit Docker provider per host: ssh://user@addr:port (keys from the SSH agent) or the local socket.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config/schema.js";
import { dockerHostUrl } from "../plan/hosts.js";
import type { HostProviders } from "./container.js";

export class DockerHosts extends pulumi.ComponentResource implements HostProviders {
  private readonly providers = new Map<string, docker.Provider>();

  constructor(name: string, args: { hosts: StackConfig["hosts"]; used: readonly string[] }, opts?: pulumi.ComponentResourceOptions) {
    super("aistack:hosts:DockerHosts", name, {}, opts);
    for (const host of [...new Set(args.used)].sort()) {
      const h = args.hosts[host];
      if (!h) continue;
      this.providers.set(
        host,
        new docker.Provider(
          `${name}-${host}`,
          { host: dockerHostUrl(h), ...(h.kind === "ssh" ? { sshOpts: ["-o", "BatchMode=yes"] } : {}) },
          { parent: this },
        ),
      );
    }
    this.registerOutputs({});
  }

  provider(host: string): docker.Provider {
    const p = this.providers.get(host);
    if (!p) throw new Error(`no Docker provider for host ${host}`);
    return p;
  }
}
