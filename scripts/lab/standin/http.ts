// A stand-in for a web service of the stack (Open WebUI, Kokoro): answers GET /health, and every other
// request with JSON naming the service and what it received, so a test can see where a route went.
//   node http.js --name open-webui --port 8080
import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { name: { type: "string" }, port: { type: "string" } } });
const name = values.name ?? "standin";
const port = Number(values.port ?? "8080");

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const health = req.url === "/health";
    res.writeHead(200, { "content-type": "application/json", "x-standin": name });
    res.end(
      JSON.stringify(
        health ? { status: true } : { service: name, method: req.method, path: req.url, host: req.headers.host ?? null, bytes: Buffer.concat(chunks).length },
      ),
    );
  });
}).listen(port, "0.0.0.0", () => process.stdout.write(`${name} stand-in listening on :${port}\n`));
for (const sig of ["SIGTERM", "SIGINT"] as const) process.once(sig, () => process.exit(0));
