// The Pulumi program under the SDK's mocks, set up once for the plan tool (capture.ts) and the infra
// tests (test/infra/harness.ts): config installed the way the CLI hands it to a program, every
// registration reported, and the run awaited until no more registrations arrive.
import * as pulumi from "@pulumi/pulumi";

/** One resource the program declared, with its inputs as the engine would get them (secrets wrapped). */
interface Registration {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** The provider reference, when the resource names one. */
  provider?: string;
  /** False for component resources. */
  custom: boolean;
}

export interface MockedRun<T> {
  project: string;
  stack: string;
  /** Config keys with their namespace (`aistack:hosts`, `pulumi:disable-default-providers`) → the CLI's string. */
  config: Record<string, string>;
  /** Full keys of the config values that are secret. */
  secretKeys: string[];
  program: () => T | Promise<T>;
  record(r: Registration): void;
  /**
   * The id a pulled or built image reports, from its reference. Containers use that id, so a test may
   * set it apart from the reference to see that they do; the plan tool shows the reference itself.
   */
  imageId?: (reference: string) => string;
}

/** Config as the CLI hands it over: a string as is, anything else as JSON. */
export function cliConfig(values: Record<string, unknown>, namespace?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) out[namespace ? `${namespace}:${k}` : k] = typeof v === "string" && !namespace ? v : JSON.stringify(v);
  return out;
}

export async function runUnderMocks<T>(run: MockedRun<T>): Promise<T> {
  let count = 0;
  const imageId = run.imageId ?? ((ref: string) => ref);
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const raw = args.inputs as Record<string, unknown>;
        count++;
        run.record({ type: args.type, name: args.name, inputs: raw, ...(args.provider ? { provider: args.provider } : {}), custom: args.custom ?? true });
        const state =
          args.type === "docker:index/remoteImage:RemoteImage"
            ? { ...raw, imageId: imageId(String(raw.name)) }
            : args.type === "docker:index/image:Image"
              ? { ...raw, repoDigest: imageId(String(raw.imageName)) }
              : raw;
        return { id: `${args.name}-id`, state };
      },
      call(args) {
        return args.inputs as Record<string, unknown>;
      },
    },
    run.project,
    run.stack,
    false,
  );
  pulumi.runtime.setAllConfig(run.config, run.secretKeys);
  const result = await Promise.resolve(run.program());
  await settle(() => count);
  return result;
}

/** Registrations resolve asynchronously under mocks: waits until none arrive for a number of turns. */
async function settle(count: () => number): Promise<void> {
  let last = -1;
  let stable = 0;
  while (stable < 20) {
    await new Promise((r) => setImmediate(r));
    if (count() === last) stable++;
    else {
      stable = 0;
      last = count();
    }
  }
}
