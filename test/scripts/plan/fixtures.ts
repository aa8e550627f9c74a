// The plan tool's inputs: stacks captured in memory (the program under mocks, through the tool's own
// capture module; the stack files come from the Pulumi test harness) and synthetic captures.
import { loadStackConfig } from "../../../infra/config/load.js";
import { buildStack } from "../../../infra/program.js";
import { captureProgram, planHome } from "../../../scripts/plan/capture.js";
import { stackValues, type StackValues } from "../../../scripts/plan/stackFile.js";
import type { Capture, CapturedResource, Json } from "../../../scripts/plan/types.js";
import { project, root, stackText } from "../../infra/harness.js";

export function configOf(stack: string): StackValues {
  return stackValues(stackText(stack), project);
}

export function capture(stack: string, config: StackValues = configOf(stack)): Promise<Capture> {
  return captureProgram({ project, stack, config, root, program: () => buildStack(loadStackConfig(), planHome) });
}

/** A synthetic capture: one host `box` reached over SSH, its Docker provider and the given resources. */
export function syntheticCapture(resources: CapturedResource[], aliases: Capture["aliases"] = {}): Capture {
  const provider: CapturedResource = { type: "pulumi:providers:docker", name: "hosts-box", inputs: { host: "ssh://root@10.9.9.9:22" } };
  return {
    stack: "synthetic",
    absent: false,
    hosts: [{ name: "box", kind: "ssh", address: "10.9.9.9" }],
    resources: [provider, ...resources],
    aliases,
    outputs: {},
    placeholders: [],
  };
}

export function container(name: string, inputs: Record<string, Json> = {}): CapturedResource {
  return {
    type: "docker:index/container:Container",
    name,
    provider: "hosts-box",
    inputs: {
      name,
      image: "ollama/ollama:0.12.6",
      envs: ["OLLAMA_HOST=0.0.0.0:11434"],
      ports: [{ internal: 11434, external: 11435 }],
      volumes: [{ volumeName: "models", containerPath: "/root/.ollama" }],
      restart: "unless-stopped",
      mustRun: true,
      ...inputs,
    },
  };
}
