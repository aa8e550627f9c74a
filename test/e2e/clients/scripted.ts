// What the engine fake answers a coding agent: a tool round trip it can follow whatever its tools are
// called. Asked to read the marked file, it calls the agent's own read tool (the first whose name says
// "read" and whose schema takes a path) on it; once the file's content comes back as a tool result, it
// answers with the secret the file holds. Anything else (titles, summaries, a plain question) gets a
// fixed sentence.
import type { FakeReply, FakeRequest } from "../../../tools/fakes/index.js";

/** The words in a prompt that ask for the tool round trip. */
export const READ_ASK = "Read the file secret.txt in the current directory and tell me the code word in it.";
/** What the file holds, and what the final answer repeats. */
const SECRET = "PLUM-4242-KIWI";
export const FILE_TEXT = `The code word is ${SECRET}.\n`;
export const PLAIN_ANSWER = "Hello from the aistack fake engine.";
export const FINAL_ANSWER = `The code word is ${SECRET}.`;

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

interface Tool {
  name: string;
  schema: Json;
}

/** OpenAI (`function.parameters`), Anthropic (`input_schema`) and Ollama tool lists alike. */
function toolsOf(body: unknown): Tool[] {
  if (!isRecord(body) || !Array.isArray(body.tools)) return [];
  const out: Tool[] = [];
  for (const t of body.tools as unknown[]) {
    if (!isRecord(t)) continue;
    const f = isRecord(t.function) ? t.function : t;
    const schema = f.parameters ?? f.input_schema;
    if (typeof f.name === "string" && isRecord(schema)) out.push({ name: f.name, schema });
  }
  return out;
}

const pathLike = (name: string): boolean => /path|file/i.test(name);

/** Arguments for a read tool: every required path-like property (or the first path-like one) set to the file. */
function readArgs(tool: Tool, file: string): Json | undefined {
  const props = isRecord(tool.schema.properties) ? Object.keys(tool.schema.properties) : [];
  const required = Array.isArray(tool.schema.required) ? (tool.schema.required as unknown[]).filter((r): r is string => typeof r === "string") : [];
  const names = required.filter(pathLike);
  if (names.length === 0) {
    const first = props.find(pathLike);
    if (first === undefined) return undefined;
    names.push(first);
  }
  return Object.fromEntries(names.map((n) => [n, file]));
}

function readTool(body: unknown, file: string): { name: string; args: Json } | undefined {
  for (const t of toolsOf(body)) {
    if (!/read/i.test(t.name)) continue;
    const args = readArgs(t, file);
    if (args) return { name: t.name, args };
  }
  return undefined;
}

/** The agent's answer script; `file` is the absolute path of secret.txt in the agent's working directory. */
export function scriptedReply(file: string): (req: FakeRequest) => FakeReply {
  return (req) => {
    // The file's content is back in the conversation: the round trip is done.
    if (req.messages.some((m) => m.role !== "system" && m.content.includes(SECRET))) return { content: FINAL_ANSWER };
    // Some agents add context of their own after the user's words, as another user message.
    if (!req.messages.some((m) => m.role === "user" && m.content.includes(READ_ASK))) return { content: PLAIN_ANSWER };
    const tool = readTool(req.body, file);
    if (tool) return { content: "", toolCalls: [{ name: tool.name, arguments: JSON.stringify(tool.args) }] };
    return { content: PLAIN_ANSWER };
  };
}
