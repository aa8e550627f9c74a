import { describe, expect, it } from "vitest";
import { requestIssuesMessage } from "../../../router/faces/request-issues.js";
import { ollamaChatRequestSchema } from "../../../router/translate/types/ollama.js";

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
