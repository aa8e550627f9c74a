// The desired state of a committed stack file, rendered as `npm run drift` renders it, with the plan's
// placeholders for the secrets a stack file leaves out (scripts/plan/stackFile.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { StackConfig } from "../../../infra/config/schema.js";
import { desiredState } from "../../../scripts/drift/desired.js";
import { validated, withProjectDefaults } from "../../../scripts/drift/stackConfig.js";
import type { DesiredState } from "../../../scripts/drift/types.js";
import { stackValues } from "../../../scripts/plan/stackFile.js";
import { project, root, stackText, testHome } from "../../infra/harness.js";

function stackConfigOf(stack: string): StackConfig {
  const v = stackValues(stackText(stack), project);
  const raw = withProjectDefaults({ values: v.values, secretKeys: new Set(v.secretKeys) }, readFileSync(join(root, "Pulumi.yaml"), "utf8"));
  return validated(raw, stack);
}

export function desiredOf(stack: string): DesiredState {
  return desiredState(stackConfigOf(stack), { project, stack, homeDir: testHome });
}
