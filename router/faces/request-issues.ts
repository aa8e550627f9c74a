// A rejected request body, told to the client in one message that names every problem's path.
import type { z } from "zod";
import { formatPath } from "../config/schema.js";

/** All problems of a rejected request body, each with its path: `messages[2].content[0].type: ...`. */
export function requestIssuesMessage(error: z.ZodError): string {
  return error.issues
    .slice(0, 8)
    .map((i) => `${formatPath(i.path)}: ${i.message}`)
    .join("; ");
}
