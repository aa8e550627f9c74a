import { describe, expect, it } from "vitest";
import { anthropicError, anthropicErrorType, backendErrorMessage, ollamaError, requestIssuesMessage } from "../../router/translate/errors.js";
import { ollamaChatRequestSchema } from "../../router/translate/types/ollama.js";

describe("anthropic errors", () => {
  const byStatus: [number, string][] = [
    [400, "invalid_request_error"],
    [401, "authentication_error"],
    [403, "permission_error"],
    [404, "not_found_error"],
    [408, "invalid_request_error"],
    [413, "request_too_large"],
    [422, "invalid_request_error"],
    [429, "rate_limit_error"],
    [500, "api_error"],
    [502, "api_error"],
    [503, "overloaded_error"],
    [529, "overloaded_error"],
  ];
  it.each(byStatus)("HTTP %i → %s", (status, type) => expect(anthropicErrorType(status)).toBe(type));

  it("has Anthropic's shape", () => {
    expect(anthropicError(404, "unknown model")).toEqual({ status: 404, body: { type: "error", error: { type: "not_found_error", message: "unknown model" } } });
  });
});

describe("ollama errors", () => {
  it("has Ollama's shape", () => expect(ollamaError(400, "bad")).toEqual({ status: 400, body: { error: "bad" } }));
});

describe("requestIssuesMessage", () => {
  it("lists every problem with its path", () => {
    const r = ollamaChatRequestSchema.safeParse({ model: "", messages: [{ role: "robot" }] });
    expect(r.success).toBe(false);
    if (!r.success) {
      const msg = requestIssuesMessage(r.error);
      expect(msg).toContain("model: model is required");
      expect(msg).toContain("messages[0].role");
    }
  });
});

describe("backendErrorMessage", () => {
  const cases: [unknown, string][] = [
    [{ error: { message: "max_tokens too large", type: "BadRequestError" } }, "max_tokens too large"],
    [{ object: "error", message: "model not found" }, "model not found"],
    [{ detail: "Not Found" }, "Not Found"],
    [{ error: "model 'x' not found" }, "model 'x' not found"],
    ['{"error":{"message":"from text"}}', "from text"],
    ["upstream connect error", "upstream connect error"],
    ["", "backend answered HTTP 502"],
    [null, "backend answered HTTP 502"],
  ];
  it.each(cases)("%j", (body, expected) => expect(backendErrorMessage(body, 502)).toBe(expected));
});
