// The child process plan/base.ts starts (not a command of its own): captures one stack of the project at --root and writes the capture as JSON.
// The parent runs it on a checkout of the base ref, so the base's own program code is what runs.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { captureStack } from "./capture.js";

const { values } = parseArgs({ options: { root: { type: "string" }, stack: { type: "string" }, json: { type: "string" } } });

try {
  if (!values.root || !values.stack || !values.json) throw new Error("usage: capture-child --root <dir> --stack <name> --json <file>");
  const capture = await captureStack(values.root, values.stack);
  writeFileSync(values.json, JSON.stringify(capture));
  process.exit(0);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}
