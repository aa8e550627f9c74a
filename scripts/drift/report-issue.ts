// `tsx scripts/drift/report-issue.ts --stack <s> --drift <json file> --drift-exit <n> --preview <file>
// --preview-exit <n>`: keeps one open issue per stack with the nightly check's findings, and closes it
// when a run is clean (.github/workflows/drift.yml). Talks to the GitHub REST API at $GITHUB_API_URL
// with $GITHUB_TOKEN for $GITHUB_REPOSITORY.
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { cleanComment, issueContent, issueMarker, type CheckResults } from "./issue.js";

const label = "drift";

interface Issue {
  number: number;
  body?: string | null;
  pull_request?: unknown;
}

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

async function github(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${env("GITHUB_API_URL").replace(/\/$/, "")}${path}`, {
    method,
    headers: { authorization: `Bearer ${env("GITHUB_TOKEN")}`, accept: "application/vnd.github+json", "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}`);
  return res.status === 204 ? undefined : res.json();
}

function readResults(argv: string[]): CheckResults {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      stack: { type: "string" },
      drift: { type: "string" },
      "drift-exit": { type: "string" },
      preview: { type: "string" },
      "preview-exit": { type: "string" },
    },
  });
  const exit = (v: string | undefined, what: string): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n)) throw new Error(`--${what}-exit <code> is required`);
    return n;
  };
  const text = (file: string | undefined): string => (file && existsSync(file) ? readFileSync(file, "utf8") : "");
  if (!values.stack) throw new Error("--stack <name> is required");
  const server = process.env.GITHUB_SERVER_URL;
  const runId = process.env.GITHUB_RUN_ID;
  const repo = process.env.GITHUB_REPOSITORY;
  return {
    stack: values.stack,
    driftJson: text(values.drift),
    driftExit: exit(values["drift-exit"], "drift"),
    preview: text(values.preview),
    previewExit: exit(values["preview-exit"], "preview"),
    ...(server && runId && repo ? { runUrl: `${server}/${repo}/actions/runs/${runId}` } : {}),
  };
}

async function main(): Promise<void> {
  const results = readResults(process.argv.slice(2));
  const repo = env("GITHUB_REPOSITORY");
  const open = (await github("GET", `/repos/${repo}/issues?state=open&labels=${label}&per_page=100`)) as Issue[];
  const existing = open.find((i) => !i.pull_request && (i.body ?? "").includes(issueMarker(results.stack)));
  const content = issueContent(results);
  if (content.clean) {
    if (!existing) return void process.stdout.write(`stack ${results.stack}: clean, no open drift issue\n`);
    await github("POST", `/repos/${repo}/issues/${existing.number}/comments`, { body: cleanComment(results) });
    await github("PATCH", `/repos/${repo}/issues/${existing.number}`, { state: "closed", state_reason: "completed" });
    return void process.stdout.write(`stack ${results.stack}: clean, closed #${existing.number}\n`);
  }
  if (existing) {
    await github("PATCH", `/repos/${repo}/issues/${existing.number}`, { title: content.title, body: content.body });
    return void process.stdout.write(`stack ${results.stack}: drift, updated #${existing.number}\n`);
  }
  const created = (await github("POST", `/repos/${repo}/issues`, { title: content.title, body: content.body, labels: [label] })) as Issue;
  process.stdout.write(`stack ${results.stack}: drift, opened #${created.number}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`report-issue: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
