// Where a JSON text stops being JSON, said without quoting it. JSON.parse's own messages quote the
// text around the error (V8: `Unexpected token 's', ..."apiKey": sk-live-"... is not valid JSON`),
// and next to a backend's apiKey that is the key itself: a config problem is shown on the
// unauthenticated /status page and written to the log, so it carries a line, a column and what is
// wrong, never the file's content.

export interface JsonSyntaxError {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units from the start of the line. */
  column: number;
  problem: string;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);
const HEX4 = /^[0-9a-fA-F]{4}$/;

function position(text: string, offset: number, problem: string): JsonSyntaxError {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1, problem };
}

/**
 * The first syntax error of `text` (RFC 8259), or undefined when it is valid JSON. Iterative, so a
 * deeply nested file cannot overflow the stack.
 */
export function locateJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const n = text.length;
  const open: ("object" | "array")[] = [];
  let i = 0;
  let want: "value" | "key" | "after" = "value";
  const space = (): void => {
    for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++i));
  };
  const fail = (at: number, problem: string): JsonSyntaxError => position(text, at, at >= n ? "unexpected end of file" : problem);

  /** Moves past the string starting at i; an error when it is not a well-formed string. */
  const string = (): JsonSyntaxError | undefined => {
    const start = i;
    i++;
    for (;;) {
      if (i >= n) return position(text, start, "unterminated string");
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return undefined;
      }
      if (c === 92) {
        const e = text[i + 1] ?? "";
        if (ESCAPES.has(e)) i += 2;
        else if (e === "u" && HEX4.test(text.slice(i + 2, i + 6))) i += 6;
        else return position(text, i, "invalid escape in a string");
        continue;
      }
      if (c < 0x20) return position(text, i, "control character in a string (write it as an escape such as \\n)");
      i++;
    }
  };

  for (;;) {
    space();
    const c = text[i];
    if (want === "value") {
      if (c === "{" || c === "[") {
        open.push(c === "{" ? "object" : "array");
        i++;
        space();
        if (text[i] === (c === "{" ? "}" : "]")) {
          open.pop();
          i++;
          want = "after";
        } else {
          want = c === "{" ? "key" : "value";
        }
        continue;
      }
      if (c === '"') {
        const e = string();
        if (e) return e;
        want = "after";
        continue;
      }
      if (c === "t" || c === "f" || c === "n") {
        const word = c === "t" ? "true" : c === "f" ? "false" : "null";
        if (!text.startsWith(word, i)) return fail(i, "unexpected character (a string must be in double quotes)");
        i += word.length;
        want = "after";
        continue;
      }
      NUMBER.lastIndex = i;
      const m = c === "-" || (c !== undefined && c >= "0" && c <= "9") ? NUMBER.exec(text) : null;
      if (!m) return fail(i, c === "-" ? "invalid number" : "unexpected character (a string must be in double quotes)");
      i += m[0].length;
      want = "after";
      continue;
    }
    if (want === "key") {
      if (c !== '"') return fail(i, "expected a property name in double quotes");
      const e = string();
      if (e) return e;
      space();
      if (text[i] !== ":") return fail(i, "expected ':' after a property name");
      i++;
      want = "value";
      continue;
    }
    const top = open[open.length - 1];
    if (top === undefined) return i < n ? fail(i, "unexpected content after the JSON value") : undefined;
    if (c === ",") {
      i++;
      want = top === "object" ? "key" : "value";
      continue;
    }
    if (c === (top === "object" ? "}" : "]")) {
      open.pop();
      i++;
      continue;
    }
    return fail(i, top === "object" ? "expected ',' or '}'" : "expected ',' or ']'");
  }
}
