// The status classifier as a table: each backend error answer, where the request goes next, what the
// backend's passive state records, and what the client is told.
import { describe, expect, it } from "vitest";
import { classifyStatus, type Verdict } from "../../../router/proxy/classify.js";

const NOW = Date.parse("2026-01-01T00:00:00Z");
const body = (message: string): string => JSON.stringify({ error: { message, type: "BadRequestError" } });

interface Row {
  status: number;
  text: string;
  headers?: Record<string, string>;
  then: Verdict["then"];
  record: Verdict["record"];
  client: { status: number; code: string; message: string; retryAfterS?: number };
}

const table: Row[] = [
  {
    status: 429,
    text: body("slow down"),
    headers: { "retry-after": "3" },
    then: "next",
    record: "busy",
    client: { status: 429, code: "backend_rate_limited", message: "backend b is busy: slow down", retryAfterS: 3 },
  },
  {
    status: 503,
    text: '{"error":"server busy, please try again.  maximum pending requests exceeded"}',
    then: "next",
    record: "busy",
    client: { status: 503, code: "backend_busy", message: "backend b is busy: server busy, please try again.  maximum pending requests exceeded" },
  },
  {
    status: 503,
    text: "down for maintenance",
    then: "next",
    record: "failure",
    client: { status: 502, code: "backend_error", message: "backend b answered 503: down for maintenance" },
  },
  { status: 502, text: "", then: "next", record: "failure", client: { status: 502, code: "backend_error", message: "backend b answered 502: status 502" } },
  {
    status: 504,
    text: body("gateway timeout"),
    then: "next",
    record: "failure",
    client: { status: 502, code: "backend_error", message: "backend b answered 504: gateway timeout" },
  },
  {
    status: 401,
    text: body("bad key"),
    then: "next",
    record: "key-rejected",
    client: { status: 502, code: "backend_credentials", message: "backend b rejected the router's credentials" },
  },
  {
    status: 403,
    text: "",
    then: "next",
    record: "key-rejected",
    client: { status: 502, code: "backend_credentials", message: "backend b rejected the router's credentials" },
  },
  {
    status: 404,
    text: body("model 'm' not found"),
    then: "next",
    record: undefined,
    client: { status: 502, code: "backend_error", message: "backend b answered 404: model 'm' not found" },
  },
  {
    status: 500,
    text: body("CUDA error"),
    then: "next",
    record: undefined,
    client: { status: 502, code: "backend_error", message: "backend b answered 500: CUDA error" },
  },
  {
    status: 400,
    text: body("max_tokens must be positive"),
    then: "final",
    record: "success",
    client: { status: 400, code: "backend_rejected", message: "max_tokens must be positive" },
  },
  { status: 413, text: "too big", then: "final", record: "success", client: { status: 413, code: "backend_too_large", message: "too big" } },
  {
    status: 422,
    text: '{"detail":[{"type":"missing","loc":["body","messages"],"msg":"Field required","input":{"prompt":"secret"}}]}',
    then: "final",
    record: "success",
    client: {
      status: 422,
      code: "backend_rejected",
      message: '{"detail":[{"type":"missing","loc":["body","messages"],"msg":"Field required","input":{"prompt":"secret"}}]}',
    },
  },
];

describe("classifyStatus", () => {
  it.each(table)("$status $text → $then, records $record", (row) => {
    const v = classifyStatus("b", row.status, row.text, row.headers ?? {}, NOW);
    expect({ then: v.then, record: v.record }).toEqual({ then: row.then, record: row.record });
    expect({
      status: v.error.status,
      code: v.error.code,
      message: v.error.message,
      ...(v.error.retryAfterS !== undefined ? { retryAfterS: v.error.retryAfterS } : {}),
    }).toEqual(row.client);
  });

  it("keeps a Retry-After for the passive state, in milliseconds, also as an HTTP date", () => {
    expect(classifyStatus("b", 429, "", { "retry-after": "2" }, NOW).retryAfterMs).toBe(2_000);
    expect(classifyStatus("b", 429, "", { "retry-after": new Date(NOW + 5_000).toUTCString() }, NOW).retryAfterMs).toBe(5_000);
    expect(classifyStatus("b", 429, "", {}, NOW).retryAfterMs).toBeUndefined();
  });

  it("never puts the backend's message in the log line, only its type and size", () => {
    for (const status of [400, 422, 429, 502, 404]) {
      const v = classifyStatus("b", status, body("the prompt was: my secret"), {}, NOW);
      expect(v.error.logMessage ?? "").not.toContain("secret");
    }
    expect(classifyStatus("b", 400, body("x"), {}, NOW).error.logMessage).toBe("backend b answered 400 (BadRequestError; 50-byte body not logged)");
  });
});
