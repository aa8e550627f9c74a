// The one owner of a client's response, on a real loopback socket: the router's own answer with the
// routing headers, an error before and after the head, keep-alive bytes that send a stream's head,
// and a backend's head with the headers it may pass on.
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { noBackend } from "../../../router/errors.js";
import { openaiFace } from "../../../router/faces/openai/index.js";
import type { FaceRequest } from "../../../router/faces/types.js";
import { Reply, type ReplyOptions } from "../../../router/http/reply.js";

interface Seen {
  status: number;
  headers: IncomingMessage["headers"];
  body: string;
}

/** Answers one GET with `answer`, and returns what the client saw. */
async function exchange(answer: (reply: Reply) => void | Promise<void>, options: ReplyOptions = {}): Promise<Seen> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => void answer(new Reply(req, res, openaiFace, "req-1", options)));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const port = (server.address() as AddressInfo).port;
    return await new Promise<Seen>((resolve, reject) => {
      request({ host: "127.0.0.1", port, path: "/" }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on("error", reject);
      })
        .on("error", reject)
        .end();
    });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

const streamReq = { stream: true } as FaceRequest;

describe("Reply", () => {
  it("sends the router's own answer with the request id and, when a backend helped, the routing headers", async () => {
    const seen = await exchange((r) => r.send({ status: 200, headers: { "content-type": "application/json" }, body: "{}" }, { backend: "box", model: "m" }));
    expect(seen).toMatchObject({ status: 200, body: "{}" });
    expect(seen.headers).toMatchObject({ "x-request-id": "req-1", "x-router-backend": "box", "x-router-model": "m" });
  });

  it("asks the client to close the connection when the router is draining, and only then", async () => {
    const closing = await exchange((r) => r.error(noBackend("coder")), { closing: true });
    expect(closing.headers.connection).toBe("close");
    const open = await exchange((r) => r.error(noBackend("coder")));
    expect(open.headers.connection).toBe("keep-alive");
  });

  it("renders an error in the face's dialect before the head", async () => {
    const seen = await exchange((r) => r.error(noBackend("coder")));
    expect(seen.status).toBe(503);
    expect(JSON.parse(seen.body)).toMatchObject({ error: { message: "no backend of alias coder could take the request" } });
    expect(seen.headers["x-request-id"]).toBe("req-1");
  });

  it("after keep-alive bytes sent a stream's head, an error comes in-band and the backend's head is not sent again", async () => {
    const seen = await exchange(async (r) => {
      r.keepAlive(streamReq, 5);
      await new Promise((done) => setTimeout(done, 30));
      r.head(200, { "content-type": "text/event-stream" }, { backend: "box", model: "m" }, { stream: true, translated: false });
      r.error(noBackend("coder"));
    });
    expect(seen.status).toBe(200);
    expect(seen.headers["content-type"]).toBe("text/event-stream");
    // The head went out before a backend was chosen: no routing headers.
    expect(seen.headers["x-router-backend"]).toBeUndefined();
    expect(seen.body.startsWith(": keep-alive\n\n")).toBe(true);
    expect(seen.body).toContain("no backend of alias coder could take the request");
  });

  it("passes on a backend's content type and length unless the answer is translated", async () => {
    const plain = await exchange((r) => {
      r.head(
        200,
        { "content-type": "application/x-ndjson", "content-length": "2", "x-secret": "no" },
        { backend: "box", model: "m" },
        { stream: false, translated: false },
      );
      r.write("ok");
      r.end();
    });
    expect(plain.headers).toMatchObject({ "content-type": "application/x-ndjson", "content-length": "2", "x-router-backend": "box" });
    expect(plain.headers["x-secret"]).toBeUndefined();
    const translated = await exchange((r) => {
      r.head(200, { "content-type": "application/x-ndjson", "content-length": "99" }, { backend: "box", model: "m" }, { stream: false, translated: true });
      r.write("{}");
      r.end();
    });
    expect(translated.headers["content-type"]).toBe("application/json");
    expect(translated.headers["content-length"]).toBeUndefined();
    expect(translated.body).toBe("{}");
  });
});
