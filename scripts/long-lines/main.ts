// npm run long-lines -- [--sizes 1,10,50] [--chunk-kb 64] [--max-seconds 60]: one line of each size
// (MB) through every stream transform the router runs on an answer, in chunks as a socket delivers
// them; prints the time per MB of each. It must stay flat as the line grows (a transform that rescans
// what it holds grows with the line: seconds for 10 MB). In-process, no network. A case past
// --max-seconds is stopped and reported as such.
import { NdjsonModelEcho, OpenAIModelEcho, SseModelEcho } from "../../router/faces/echo-model.js";
import { AnthropicStreamTranslator } from "../../router/translate/anthropic-stream.js";
import { OllamaStreamTranslator } from "../../router/translate/ollama-stream.js";
import { OpenAIStreamAssembler } from "../../router/translate/openai-assemble.js";
import { SseDataDecoder } from "../../router/translate/sse.js";

const usage = "usage: npm run long-lines -- [--sizes 1,10,50] [--chunk-kb 64] [--max-seconds 60]";

interface Transform {
  name: string;
  /** The text of one answer whose longest line is about `n` bytes. */
  input: (n: number) => string;
  make: () => (chunk: Buffer) => unknown;
}

function openaiSse(n: number): string {
  const chunk = {
    id: "c",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: [{ index: 0, delta: { content: "x".repeat(n) }, finish_reason: null }],
  };
  const last = { ...chunk, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] };
  return `data: ${JSON.stringify(chunk)}\n\ndata: ${JSON.stringify(last)}\n\ndata: [DONE]\n\n`;
}

const transforms: Transform[] = [
  {
    name: "SSE decoder",
    input: openaiSse,
    make: () =>
      (
        (d) => (c) =>
          d.push(c)
      )(new SseDataDecoder()),
  },
  {
    name: "OpenAI SSE → Ollama NDJSON",
    input: openaiSse,
    make: () =>
      (
        (t) => (c) =>
          t.push(c)
      )(new OllamaStreamTranslator({ kind: "chat", model: "alias" })),
  },
  {
    name: "OpenAI SSE → Anthropic SSE",
    input: openaiSse,
    make: () =>
      (
        (t) => (c) =>
          t.push(c)
      )(new AnthropicStreamTranslator({ model: "alias" })),
  },
  {
    name: "OpenAI SSE assembled (llama.cpp)",
    input: openaiSse,
    make: () =>
      (
        (a) => (c) =>
          a.push(c)
      )(new OpenAIStreamAssembler("chat")),
  },
  {
    name: "model echo: OpenAI",
    input: openaiSse,
    make: () =>
      (
        (t) => (c) =>
          t.push(c)
      )(new OpenAIModelEcho("m", "alias")),
  },
  {
    name: "model echo: NDJSON",
    input: (n) => `${JSON.stringify({ model: "m", pad: "x".repeat(n) })}\n`,
    make: () =>
      (
        (t) => (c) =>
          t.push(c)
      )(new NdjsonModelEcho("alias")),
  },
  {
    name: "model echo: Anthropic SSE",
    input: (n) =>
      `event: message_start\ndata: ${JSON.stringify({ type: "message_start", message: { id: "m", type: "message", role: "assistant", model: "m", content: [] }, pad: "x".repeat(n) })}\n\n`,
    make: () =>
      (
        (t) => (c) =>
          t.push(c)
      )(new SseModelEcho("alias")),
  },
];

function parse(argv: string[]): { sizes: number[]; chunk: number; maxMs: number } | "help" {
  const o = { sizes: [1, 10, 50], chunk: 64 * 1024, maxMs: 60_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === "--help" || a === "-h") return "help";
    if (v === undefined) throw new Error(`${a}: needs a value`);
    if (a === "--sizes") o.sizes = v.split(",").map(Number);
    else if (a === "--chunk-kb") o.chunk = Number(v) * 1024;
    else if (a === "--max-seconds") o.maxMs = Number(v) * 1000;
    else throw new Error(`unknown option ${a}`);
    i++;
  }
  if (o.sizes.some((s) => !(s > 0)) || !(o.chunk > 0) || !(o.maxMs > 0)) throw new Error("sizes, chunk and seconds must be positive numbers");
  return o;
}

/** Milliseconds to push the whole input, or undefined when it ran past maxMs. */
function run(t: Transform, mb: number, chunk: number, maxMs: number): number | undefined {
  const bytes = Buffer.from(t.input(Math.round(mb * 1024 * 1024)));
  const push = t.make();
  const start = performance.now();
  for (let i = 0; i < bytes.length; i += chunk) {
    push(bytes.subarray(i, i + chunk));
    if (performance.now() - start > maxMs) return undefined;
  }
  return performance.now() - start;
}

function main(): number {
  let o;
  try {
    o = parse(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${usage}\n`);
    return 2;
  }
  if (o === "help") {
    process.stdout.write(usage + "\n");
    return 0;
  }
  const head = ["transform", ...o.sizes.map((s) => `${s} MB line: ms/MB`)];
  const rows = [head.join(" | ")];
  for (const t of transforms) {
    const cells = [t.name];
    for (const mb of o.sizes) {
      const ms = run(t, mb, o.chunk, o.maxMs);
      cells.push(ms === undefined ? `stopped > ${o.maxMs / 1000} s` : (ms / mb).toFixed(1));
    }
    rows.push(cells.join(" | "));
    process.stdout.write(`${cells.join(" | ")}\n`);
  }
  process.stdout.write(
    `\nNode ${process.version}, chunks of ${o.chunk / 1024} KiB\n| ${head.join(" | ")} |\n|${head.map(() => " --- ").join("|")}|\n${rows
      .slice(1)
      .map((r) => `| ${r} |`)
      .join("\n")}\n`,
  );
  return 0;
}

process.exitCode = main();
