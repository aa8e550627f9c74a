// The script the nightly workflow calls, against a GitHub API stand-in on loopback: drift opens one
// issue, the next drift edits that same issue, a clean run comments and closes it, and a clean run
// with no open issue touches nothing.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueContent } from "../../../scripts/drift/issue.js";
import { root } from "../../infra/harness.js";
import { runScript, type ScriptRun } from "./script.js";

interface Issue {
  number: number;
  title: string;
  body: string;
  state: string;
  labels: string[];
  comments: string[];
}

const script = join(root, "scripts/drift/report-issue.ts");
const repo = "owner/aistack";
const token = "ghs_test_token";
let dir = "";
let server: Server;
let api = "";
const issues: Issue[] = [];
const calls: string[] = [];

const driftReport = JSON.stringify({
  stack: "home",
  verdict: "drift",
  exitCode: 1,
  hosts: [
    { name: "dev", docker: "ssh://root@10.0.0.8:22", findings: [] },
    {
      name: "unraid",
      docker: "ssh://root@10.0.0.10:22",
      findings: [
        {
          kind: "model-missing",
          subject: "unraid-ollama",
          stack: "model qwen3-coder:30b",
          live: "not on the engine",
          fix: "docker -H ssh://root@10.0.0.10:22 exec unraid-ollama ollama pull qwen3-coder:30b",
        },
      ],
    },
  ],
});

function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let text = "";
    req.on("data", (d: Buffer) => (text += d.toString()));
    req.on("end", () => resolve(text ? (JSON.parse(text) as Record<string, unknown>) : {}));
  });
}

function report(files: { drift: string; driftExit: number; preview: string; previewExit: number }): Promise<ScriptRun> {
  writeFileSync(join(dir, "drift.json"), files.drift);
  writeFileSync(join(dir, "preview.txt"), files.preview);
  const args = [
    "--stack",
    "home",
    "--drift",
    join(dir, "drift.json"),
    "--drift-exit",
    String(files.driftExit),
    "--preview",
    join(dir, "preview.txt"),
    "--preview-exit",
    String(files.previewExit),
  ];
  return runScript(script, args, {
    ...process.env,
    GITHUB_API_URL: api,
    GITHUB_TOKEN: token,
    GITHUB_REPOSITORY: repo,
    GITHUB_SERVER_URL: "https://github.example",
    GITHUB_RUN_ID: "42",
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aistack-drift-issue-"));
  // An unrelated open issue with the same label, and a pull request (the issues API lists both).
  issues.push({ number: 1, title: "Drift on stack lab", body: "<!-- aistack-drift:lab -->", state: "open", labels: ["drift"], comments: [] });
  server = createServer((req, res) => {
    void body(req).then((b) => {
      calls.push(`${req.method} ${req.url}`);
      const answer = (status: number, json: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(json));
      };
      if (req.headers.authorization !== `Bearer ${token}`) return answer(401, { message: "Bad credentials" });
      const url = new URL(req.url ?? "/", "http://x");
      const m = /^\/repos\/owner\/aistack\/issues(?:\/(\d+))?(\/comments)?$/.exec(url.pathname);
      if (!m) return answer(404, { message: "Not Found" });
      const issue = issues.find((i) => i.number === Number(m[1]));
      if (req.method === "GET" && !m[1]) {
        const open = issues.filter((i) => i.state === url.searchParams.get("state") && i.labels.includes(url.searchParams.get("labels") ?? ""));
        return answer(200, [...open, { number: 99, body: "<!-- aistack-drift:home -->", pull_request: {} }]);
      }
      if (req.method === "POST" && !m[1]) {
        const created = { number: issues.length + 1, title: String(b.title), body: String(b.body), state: "open", labels: b.labels as string[], comments: [] };
        issues.push(created);
        return answer(201, created);
      }
      if (!issue) return answer(404, { message: "Not Found" });
      if (req.method === "POST" && m[2]) {
        issue.comments.push(String(b.body));
        return answer(201, {});
      }
      if (req.method === "PATCH") {
        Object.assign(issue, b);
        return answer(200, issue);
      }
      answer(405, {});
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  api = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe("scripts/drift/report-issue.ts", { timeout: 120_000 }, () => {
  it("opens one issue on drift, edits it on the next, closes it when clean, and leaves a clean stack alone", async () => {
    const opened = await report({ drift: driftReport, driftExit: 1, preview: "Previewing update (home)\nResources:\n    12 unchanged\n", previewExit: 0 });
    expect(opened).toMatchObject({ code: 0, stdout: "stack home: drift, opened #2\n" });
    expect(issues[1]).toMatchObject({ title: "Drift on stack home", labels: ["drift"], state: "open" });
    expect(issues[1]?.body).toContain(
      "- **model-missing** `unraid-ollama`: stack model qwen3-coder:30b; live not on the engine. Fix: `docker -H ssh://root@10.0.0.10:22 exec unraid-ollama ollama pull qwen3-coder:30b`",
    );
    expect(issues[1]?.body).toContain("([run](https://github.example/owner/aistack/actions/runs/42))");

    const preview = "  ~ docker:index/container:Container unraid-ollama update [diff: ~restart]\nerror: no changes were expected but changes were proposed\n";
    const updated = await report({ drift: "", driftExit: 2, preview, previewExit: 255 });
    expect(updated).toMatchObject({ code: 0, stdout: "stack home: drift, updated #2\n" });
    expect(issues).toHaveLength(2);
    expect(issues[1]?.body).toContain("No report (exit 2)");
    expect(issues[1]?.body).toContain("Result: **changes or an error (exit 255)**.");
    expect(issues[1]?.body).toContain("error: no changes were expected but changes were proposed");

    const closed = await report({
      drift: JSON.stringify({ stack: "home", verdict: "clean", exitCode: 0, hosts: [] }),
      driftExit: 0,
      preview: "",
      previewExit: 0,
    });
    expect(closed).toMatchObject({ code: 0, stdout: "stack home: clean, closed #2\n" });
    expect(issues[1]).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(issues[1]?.comments[0]).toMatch(/^Clean again: /);

    calls.length = 0;
    const quiet = await report({
      drift: JSON.stringify({ stack: "home", verdict: "clean", exitCode: 0, hosts: [] }),
      driftExit: 0,
      preview: "",
      previewExit: 0,
    });
    expect(quiet).toMatchObject({ code: 0, stdout: "stack home: clean, no open drift issue\n" });
    expect(calls).toEqual(["GET /repos/owner/aistack/issues?state=open&labels=drift&per_page=100"]);
    // The other stack's issue was never touched.
    expect(issues[0]).toMatchObject({ state: "open", comments: [] });
  });

  it("says why it could not update the issue, and fails", async () => {
    const r = await runScript(script, ["--stack", "home", "--drift-exit", "1", "--preview-exit", "0"], {
      ...process.env,
      GITHUB_API_URL: api,
      GITHUB_TOKEN: "wrong",
      GITHUB_REPOSITORY: repo,
    });
    expect(r).toEqual({ code: 1, stdout: "", stderr: "report-issue: GET /repos/owner/aistack/issues?state=open&labels=drift&per_page=100 answered 401\n" });
  });

  it("keeps backticks in findings from breaking the Markdown", () => {
    const c = issueContent({
      stack: "home",
      driftJson: driftReport.replace("not on the engine", "not `on` the engine"),
      driftExit: 1,
      preview: "",
      previewExit: 0,
    });
    expect(c.body).toContain("live not 'on' the engine");
    expect(c.clean).toBe(false);
  });
});
