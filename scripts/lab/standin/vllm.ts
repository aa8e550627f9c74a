// The lab's vLLM stand-in, run as `vllm` inside the image the stack pins for its vLLM backend: takes
// `vllm serve <model> ...` with whatever arguments the stack gives and answers vLLM's OpenAI API
// (tools/fakes, engine "vllm") on --host/--port, serving --served-model-name (else the model).
// The lab has no GPUs and no Ray cluster; docs/lab.md says what this leaves unproven.
import { startFakeEngine } from "../../../tools/fakes/index.js";

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] !== "serve" || !args[1]) {
    process.stderr.write("usage: vllm serve <model> [--host H] [--port P] [--served-model-name N] [...]\n");
    process.exit(2);
  }
  const model = option(args, "--served-model-name") ?? args[1];
  const port = Number(option(args, "--port") ?? "8000");
  const host = option(args, "--host") ?? "0.0.0.0";
  const engine = await startFakeEngine({ engine: "vllm", models: [model], host, port });
  process.stdout.write(`vllm stand-in: serving ${model} at ${engine.url} (arguments: ${args.join(" ")})\n`);
  for (const sig of ["SIGTERM", "SIGINT"] as const) process.once(sig, () => void engine.stop().then(() => process.exit(0)));
}

void main();
