// The URNs `pulumi up --replace` takes, for drift a refresh cannot see (an env value, a mount, the router
// config file). Built as the engine builds them: the parent component's type, then the resource's
// (the parent's name is not part of a URN; test/scripts/drift/desired.test.ts checks them against the
// program's own registrations).
import type { ContainerSpec } from "../../infra/specs/types.js";

/** The component each container kind lives under (infra/components/services.ts, router.ts). */
const componentTypes: Record<ContainerSpec["kind"], string> = {
  engine: "aistack:engine:InferenceBackend",
  openWebUI: "aistack:ui:OpenWebUI",
  kokoro: "aistack:tts:Kokoro",
  router: "aistack:router:Router",
};

/** The providers' type tokens of the resources drift may name. */
export const resourceTypes = {
  container: "docker:index/container:Container",
  "remote-command": "command:remote:Command",
  "local-command": "command:local:Command",
} as const;

export function componentUrn(
  o: { project: string; stack: string },
  kind: ContainerSpec["kind"],
  resource: keyof typeof resourceTypes,
  name: string,
): string {
  return `urn:pulumi:${o.stack}::${o.project}::${componentTypes[kind]}$${resourceTypes[resource]}::${name}`;
}
