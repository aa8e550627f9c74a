// Turns one ContainerSpec into resources under a component: image, named volumes, container.
import { resolve } from "node:path";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { stackLabels } from "../specs/labels.js";
import type { ContainerSpec } from "../specs/types.js";
import type { HostProviders } from "./dockerHosts.js";

/** Secret env values become Pulumi secrets, so they never show in plain text in state or previews. */
function containerEnvs(spec: ContainerSpec): pulumi.Input<string>[] {
  const plain = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);
  const secret = Object.entries(spec.secretEnv).map(([k, v]) => pulumi.secret(`${k}=${v}`));
  return [...plain, ...secret];
}

/**
 * The image a container runs, by id: built on its host from the repository (`spec.build`), or pulled
 * (an image already on the host is used as is). A new id replaces the container; an unchanged one does not.
 */
function containerImage(parent: pulumi.Resource, spec: ContainerSpec, provider: docker.Provider): pulumi.Output<string> {
  if (spec.build) {
    const built = new docker.Image(
      `${spec.name}-image`,
      {
        imageName: spec.image,
        skipPush: true,
        // Absolute paths under the project root: the provider resolves relative ones against its own
        // working directory ("could not open dockerfile at relative path"), and neither it nor the
        // program runs in the project root (the CLI runs the program in the directory of `main`).
        build: {
          context: resolve(projectRoot, spec.build.context),
          dockerfile: resolve(projectRoot, spec.build.context, spec.build.dockerfile),
          args: spec.build.args,
          platform: spec.build.platform,
        },
      },
      { parent, provider },
    );
    // For an image that is not pushed, repoDigest is the local image id.
    return built.repoDigest;
  }
  return new docker.RemoteImage(`${spec.name}-image`, { name: spec.image, keepLocally: true }, { parent, provider }).imageId;
}

/** The project root (where Pulumi.yaml is), which the specs' build paths are relative to. */
const projectRoot = resolve(import.meta.dirname, "..", "..");

export function addContainer(parent: pulumi.Resource, spec: ContainerSpec, hosts: HostProviders, dependsOn: pulumi.Resource[] = []): docker.Container {
  const provider = hosts.provider(spec.host);
  const imageId = containerImage(parent, spec, provider);
  const volumes = spec.volumes.map(
    (v) =>
      // Model caches outlive containers: deleting one would mean downloading hundreds of GB again.
      new docker.Volume(`${spec.name}-volume-${v.volume}`, { name: v.volume }, { parent, provider, retainOnDelete: true }),
  );
  return new docker.Container(
    spec.name,
    {
      name: spec.name,
      image: imageId,
      command: spec.command,
      entrypoints: spec.entrypoint,
      envs: containerEnvs(spec),
      ports: spec.ports.map((p) => ({ internal: p.internal, external: p.external })),
      networkMode: spec.networkMode,
      ipcMode: spec.ipcMode,
      gpus: spec.gpus,
      hosts: spec.extraHosts,
      volumes: [
        ...spec.volumes.map((v, i) => ({ volumeName: volumes[i]?.name ?? v.volume, containerPath: v.containerPath })),
        ...spec.binds.map((b) => ({ hostPath: b.hostPath, containerPath: b.containerPath, readOnly: b.readOnly })),
      ],
      healthcheck: spec.healthcheck,
      restart: spec.restart,
      // Which stack the container belongs to, for `npm run drift`'s foreign-container check.
      labels: Object.entries(stackLabels(pulumi.getProject(), pulumi.getStack())).map(([label, value]) => ({ label, value })),
      // The container is replaced, not edited; with fixed host ports the old one must go first.
      mustRun: true,
    },
    { parent, provider, deleteBeforeReplace: true, dependsOn },
  );
}
