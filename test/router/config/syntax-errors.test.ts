// A config file that is not JSON is reported by line and column, never by quoting it: next to a
// backend's apiKey, the quoted text would be the key, on the unauthenticated /status page and in the log.
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { locateJsonSyntaxError } from "../../../router/config/json-syntax.js";
import { prng } from "../../../scripts/soak/run.js";
import { loadText, watchedRouter } from "./watched.js";

const SECRET = "sk-live-Q7xv29LmPw";

/** A config whose apiKey value lost its quotes: JSON.parse's message would quote the key. */
function withUnquotedKey(url: string): string {
  return [
    "{",
    `  "backends": {`,
    `    "a": { "engine": "vllm", "url": "${url}", "apiKey": ${SECRET} }`,
    "  },",
    `  "aliases": { "coder": { "targets": [ { "backend": "a", "model": "m" } ] } }`,
    "}",
  ].join("\n");
}

/** Every way the text could show up, even cut short: the secret and its first characters. */
function expectNoSecret(text: string): void {
  expect(text).not.toContain(SECRET.slice(0, 6));
  expect(text).not.toContain(SECRET.slice(-6));
}

describe("locating a JSON syntax error", () => {
  it.each([
    ["an unquoted value", '{\n  "k": sk-1\n}', 2, 8, "unexpected character (a string must be in double quotes)"],
    ["a missing comma", '{"a": 1\n "b": 2}', 2, 2, "expected ',' or '}'"],
    ["a trailing comma in an object", '{"a": 1,}', 1, 9, "expected a property name in double quotes"],
    ["a trailing comma in an array", "[1,\r\n]", 2, 1, "unexpected character (a string must be in double quotes)"],
    ["a single-quoted key", "{'a': 1}", 1, 2, "expected a property name in double quotes"],
    ["a missing colon", '{"a" 1}', 1, 6, "expected ':' after a property name"],
    ["a bad escape", '{"a": "x\\qy"}', 1, 9, "invalid escape in a string"],
    ["a short \\u escape", '{"a": "\\u12"}', 1, 8, "invalid escape in a string"],
    ["a raw newline in a string", '{"a": "x\ny"}', 1, 9, "control character in a string (write it as an escape such as \\n)"],
    ["an unterminated string", '{\n  "a": "sk-abc', 2, 8, "unterminated string"],
    ["a cut-off file", '{"a": [1, 2', 1, 12, "unexpected end of file"],
    ["an empty file", "", 1, 1, "unexpected end of file"],
    ["a leading byte order mark", "\uFEFF{}", 1, 1, "unexpected character (a string must be in double quotes)"],
    ["a bare minus", "[-]", 1, 2, "invalid number"],
    ["a misspelt literal", "[tru]", 1, 2, "unexpected character (a string must be in double quotes)"],
    ["two values", "{} {}", 1, 4, "unexpected content after the JSON value"],
    ["a wrong closing bracket", '{"a": [1}', 1, 9, "expected ',' or ']'"],
  ])("%s", (_label, text, line, column, problem) => {
    expect(() => void JSON.parse(text)).toThrow();
    expect(locateJsonSyntaxError(text)).toEqual({ line, column, problem });
  });

  it("finds no error exactly when JSON.parse accepts the text (2,000 seeded mutations of a config)", () => {
    const valid = JSON.stringify({ a: [1, -2.5e3, true, false, null, "x\\n\u00e9\ud83d\ude00"], b: { c: {}, d: [] } }, null, 2);
    expect(locateJsonSyntaxError(valid)).toBeUndefined();
    const random = prng(11);
    const alphabet = ['"', "'", "{", "}", "[", "]", ",", ":", "\\", "\n", " ", "0", "-", ".", "e", "t", "u", "\u0001"];
    for (let k = 0; k < 2000; k++) {
      let text = valid;
      for (let m = 0; m < 1 + Math.floor(random() * 3); m++) {
        const at = Math.floor(random() * (text.length + 1));
        const op = Math.floor(random() * 3);
        const ch = alphabet[Math.floor(random() * alphabet.length)] ?? "";
        text = op === 0 ? text.slice(0, at) + ch + text.slice(at) : op === 1 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at);
      }
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      expect(locateJsonSyntaxError(text) === undefined, JSON.stringify(text)).toBe(parses);
    }
  });

  it("walks a deeply nested file without recursion", () => {
    expect(locateJsonSyntaxError("[".repeat(200_000))).toEqual({ line: 1, column: 200_001, problem: "unexpected end of file" });
  });
});

describe("a config file that is not JSON", () => {
  it.each([
    ["an unquoted apiKey", withUnquotedKey("http://127.0.0.1:1"), "line 3, column 69: unexpected character (a string must be in double quotes)"],
    [
      "a bad escape inside the apiKey",
      withUnquotedKey("http://127.0.0.1:1").replace(SECRET, `"${SECRET.slice(0, 9)}\\q${SECRET.slice(9)}"`),
      "line 3, column 79: invalid escape in a string",
    ],
    [
      "a comma missing after the apiKey",
      withUnquotedKey("http://127.0.0.1:1").replace(`${SECRET} }`, `"${SECRET}" "x": 1 }`),
      "line 3, column 90: expected ',' or '}'",
    ],
  ])("is reported by line and column, without its content: %s", async (_label, text, where) => {
    const r = await loadText(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([{ path: "(root)", message: `not valid JSON at ${where}` }]);
  });

  it("shows on /status and in the log without the key, and the real router refuses to start with it", async () => {
    const w = await watchedRouter();
    const { vllm, run, file, watcher } = w;
    try {
      await writeFile(file, withUnquotedKey(vllm.url));
      await watcher.reload();
      const html = await (await fetch(`${run.url}/status`)).text();
      const json = await (await fetch(`${run.url}/status.json`)).text();
      expect(html).toContain("not valid JSON at line 3, column");
      expect(json).toContain("not valid JSON at line 3, column");
      expect(run.logs.join("\n")).toContain("not valid JSON at line 3, column");
      for (const text of [html, json, ...run.logs]) expectNoSecret(text);

      // The CLI checks the file before it listens: exit 1, the problem on stderr, no key.
      const child = spawn(process.execPath, ["--import", "tsx", "router/main.ts", "--config", file, "--port", "0"], {
        cwd: process.cwd(),
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (c: Buffer) => (out += c.toString()));
      child.stderr.on("data", (c: Buffer) => (out += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
      expect(code).toBe(1);
      expect(out).toContain("(root): not valid JSON at line 3, column");
      expectNoSecret(out);
    } finally {
      await w.close();
    }
  });
});
