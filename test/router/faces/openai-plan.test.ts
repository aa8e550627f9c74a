// The OpenAI face's plan for one target: its answer names the model the client sent (not the alias it
// reached), and the parsed body, shared by every target of the failover loop, is left as it was.
import { describe, expect, it } from "vitest";
import { openaiFace } from "../../../router/faces/openai/index.js";
import { isRouterError } from "../../../router/errors.js";
import { isUpstreamPlan, type PlanTarget, type UpstreamPlan } from "../../../router/faces/types.js";

/** The face's own request type: its body as the route's kind reads it. */
type Request = Parameters<typeof openaiFace.plan>[0];

const target: PlanTarget = { backend: "v", engine: "vllm", model: "Qwen/Qwen3-8B", contextLength: undefined, anthropic: "auto", version: undefined };

function request(stream: boolean): Request {
  const route = openaiFace.routes.find((r) => r.path === "/v1/chat/completions");
  if (!route) throw new Error("no chat route");
  const parsed = openaiFace.parse(route, { model: "Coder", stream, messages: [{ role: "user", content: "hi" }] });
  if (isRouterError(parsed)) throw new Error(parsed.message);
  // A name the face's mapping (or a case-insensitive one) took to the alias: the client sent "Coder".
  return { ...parsed, alias: "coder" };
}

async function plan(req: Request, t: PlanTarget = target): Promise<UpstreamPlan> {
  const p = await openaiFace.plan(req, t);
  if (!isUpstreamPlan(p)) throw new Error("not an upstream plan");
  return p;
}

describe("the OpenAI face's plan", () => {
  it("a passed-on answer names the model the client sent", async () => {
    const p = await plan(request(true));
    const out = String(p.translator?.push(`data: ${JSON.stringify({ id: "x", model: "Qwen/Qwen3-8B", choices: [] })}\n\n`));
    expect(out).toContain('"model":"Coder"');
  });

  it("an assembled answer names the model the client sent", async () => {
    const p = await plan(request(false), { ...target, engine: "llamacpp" });
    const converted = p.whole?.convert(
      Buffer.from(`data: ${JSON.stringify({ id: "x", model: "m", choices: [{ index: 0, delta: { content: "ok" } }] })}\n\ndata: [DONE]\n\n`),
    );
    expect(converted?.ok && (JSON.parse(converted.body) as { model: string }).model).toBe("Coder");
  });

  it("leaves the parsed body as it was, and sends the target's model name", async () => {
    const req = request(false);
    const before = structuredClone(req.body);
    const p = await plan(req);
    expect(req.body).toEqual(before);
    expect((JSON.parse(p.body) as { model: string }).model).toBe("Qwen/Qwen3-8B");
  });
});
