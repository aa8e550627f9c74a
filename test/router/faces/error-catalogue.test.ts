// Every error of the router's catalogue rendered by every face: its status and a body of the face's
// dialect, before the answer started (renderError) and inside a stream (inBandError). The table pins
// what clients see: OpenAI's error type and `code`, Anthropic's error type; the compiler holds that it
// has a row for every code of the catalogue.
import { describe, expect, it } from "vitest";
import type { RouterError } from "../../../router/errors.js";
import { anthropicFace } from "../../../router/faces/anthropic/index.js";
import { ollamaFace } from "../../../router/faces/ollama/index.js";
import { openaiFace } from "../../../router/faces/openai/index.js";
import type { Face } from "../../../router/faces/types.js";

type ErrorCode = RouterError["code"];

/** code → status, OpenAI type, OpenAI code shown (else null), Anthropic type. */
const table: Record<ErrorCode, [number, string, boolean, string]> = {
  invalid_api_key: [401, "authentication_error", true, "authentication_error"],
  request_too_large: [413, "invalid_request_error", true, "request_too_large"],
  request_body_timeout: [408, "server_error", true, "api_error"],
  invalid_json: [400, "invalid_request_error", true, "invalid_request_error"],
  invalid_request: [400, "invalid_request_error", false, "invalid_request_error"],
  missing_model: [400, "invalid_request_error", true, "invalid_request_error"],
  invalid_model: [400, "invalid_request_error", true, "invalid_request_error"],
  model_not_found: [404, "invalid_request_error", true, "not_found_error"],
  unknown_path: [404, "invalid_request_error", true, "not_found_error"],
  method_not_allowed: [405, "invalid_request_error", false, "invalid_request_error"],
  context_length_exceeded: [400, "invalid_request_error", true, "invalid_request_error"],
  not_supported: [501, "invalid_request_error", true, "invalid_request_error"],
  unsupported_encoding: [415, "invalid_request_error", true, "invalid_request_error"],
  router_busy: [503, "server_error", false, "overloaded_error"],
  shutting_down: [503, "server_error", true, "overloaded_error"],
  request_timeout: [504, "server_error", true, "api_error"],
  internal: [500, "server_error", false, "api_error"],
  no_backend: [503, "server_error", false, "overloaded_error"],
  first_byte_timeout: [504, "server_error", false, "api_error"],
  idle_timeout: [504, "server_error", false, "api_error"],
  backend_unreachable: [502, "server_error", false, "api_error"],
  backend_busy: [503, "server_error", false, "overloaded_error"],
  backend_rate_limited: [429, "rate_limit_error", false, "rate_limit_error"],
  backend_error: [502, "server_error", false, "api_error"],
  backend_credentials: [502, "server_error", false, "api_error"],
  backend_rejected: [400, "invalid_request_error", false, "invalid_request_error"],
  backend_too_large: [413, "invalid_request_error", false, "request_too_large"],
  mid_stream_failure: [502, "server_error", false, "api_error"],
  backend_malformed: [502, "server_error", false, "api_error"],
  answer_too_large: [502, "server_error", false, "api_error"],
};

const faces: Face[] = [openaiFace, anthropicFace, ollamaFace];
const codes = Object.keys(table) as ErrorCode[];
const cases = codes.flatMap((code) => faces.map((face) => [code, face.name, face] as const));

/** The body a client of `face` reads for `code` with message "m". */
function expected(code: ErrorCode, face: Face): unknown {
  const [, openaiType, shown, anthropicType] = table[code];
  if (face.name === "openai") return { error: { message: "m", type: openaiType, param: null, code: shown ? code : null } };
  if (face.name === "anthropic") return { type: "error", error: { type: anthropicType, message: "m" } };
  return { error: "m" };
}

describe("the error catalogue in every dialect", () => {
  it.each(cases)("%s as %s", (code, _name, face) => {
    const err: RouterError = { code, status: table[code][0], message: "m", retryAfterS: 2 };
    const r = face.renderError(err);
    expect(r.status).toBe(table[code][0]);
    expect(r.headers["content-type"]).toMatch(/^application\/json/);
    expect(r.headers["retry-after"]).toBe("2");
    expect(JSON.parse(r.body)).toEqual(expected(code, face));

    const inBand = face.inBandError(err);
    if (face.name === "ollama") {
      expect(inBand.endsWith("\n")).toBe(true);
      expect(JSON.parse(inBand)).toEqual(expected(code, face));
    } else {
      const m = /^(?:event: error\n)?data: (.*)\n\n$/.exec(inBand);
      expect(m, inBand).not.toBeNull();
      expect(face.name === "anthropic" ? inBand.startsWith("event: error\n") : true).toBe(true);
      expect(JSON.parse(m?.[1] ?? "")).toEqual(expected(code, face));
    }
  });

  it("gives no retry-after to an error without one", () => {
    for (const face of faces) expect(face.renderError({ code: "internal", status: 500, message: "m" }).headers["retry-after"]).toBeUndefined();
  });
});
