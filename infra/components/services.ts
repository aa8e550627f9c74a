// Thin components, one per service kind: each turns its planned containers into resources.
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { ContainerSpec } from "../plan/types.js";
import { addContainer, type HostProviders } from "./container.js";

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

/** One inference backend: an Ollama, llama.cpp or vLLM server, or a vLLM Ray cluster. */
export class InferenceBackend extends ContainerService {
  constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aistack:engine:InferenceBackend", name, args, opts);
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
