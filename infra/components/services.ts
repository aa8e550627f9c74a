// Thin components, one per service kind: each turns its container specs into resources.
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { modelPullScript, type ModelPull } from "../specs/ollama.js";
import type { ContainerSpec } from "../specs/types.js";
import { addContainer } from "./container.js";
import type { HostProviders } from "./dockerHosts.js";
import { hostCommand, localDockerEnv } from "./hostCommand.js";

export interface ServiceArgs {
  containers: ContainerSpec[];
  hosts: HostProviders;
}

abstract class ContainerService extends pulumi.ComponentResource {
  readonly containers: docker.Container[];
  constructor(type: string, name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
    this.containers = args.containers.map((c) => addContainer(this, c, args.hosts));
    this.registerOutputs({ containers: this.containers.map((c) => c.name) });
  }
}

/**
 * One inference backend: an Ollama, llama.cpp or vLLM server, or a vLLM Ray cluster; for Ollama, one
 * resource per listed model that pulls it into the running engine. The engine container never depends
 * on a pull, so adding, replacing or removing one never restarts the engine; a removed model stays on disk.
 */
export class InferenceBackend extends ContainerService {
  readonly modelPulls: pulumi.CustomResource[];
  constructor(name: string, args: ServiceArgs & { pulls: ModelPull[] }, opts?: pulumi.ComponentResourceOptions) {
    super("aistack:engine:InferenceBackend", name, args, opts);
    this.modelPulls = args.pulls.map((pull) => {
      const engine = this.containers[args.containers.findIndex((c) => c.name === pull.container)];
      const host = args.hosts.host(pull.host);
      return hostCommand(
        pull.name,
        host,
        // Triggers: the model and where it goes; another engine image or restart needs no new pull (the volume keeps it).
        { create: modelPullScript(pull), triggers: [pull.host, pull.container, pull.model] },
        args.hosts,
        { parent: this, ...(engine ? { dependsOn: [engine] } : {}) },
        localDockerEnv(host),
      );
    });
  }
}

export class OpenWebUI extends ContainerService {
  constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aistack:ui:OpenWebUI", name, args, opts);
  }
}

export class Kokoro extends ContainerService {
  constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aistack:tts:Kokoro", name, args, opts);
  }
}
