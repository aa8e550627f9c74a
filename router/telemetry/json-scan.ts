// Reading a few members out of a line of JSON without parsing the line: where a member's value starts,
// an integer value, and one object value (usage.ts reads engines' usage reports this way).

/** Where the value of `key` begins in `line` (after the colon and spaces), if `key` is a member name there. */
export function valueAfter(line: string, key: string): number | undefined {
  for (let i = line.indexOf(key); i >= 0; i = line.indexOf(key, i + 1)) {
    let j = i + key.length;
    while (line.charCodeAt(j) === 0x20) j++;
    if (line.charCodeAt(j) !== 0x3a) continue; // a string value that reads like the key, not a member
    j++;
    while (line.charCodeAt(j) === 0x20) j++;
    return j;
  }
  return undefined;
}

/** The non-negative integer that is the value of `key` in `line`, if there is one. */
export function numberAt(line: string, key: string): number | undefined {
  const at = valueAfter(line, key);
  if (at === undefined) return undefined;
  let n = 0;
  let i = at;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + (c - 0x30);
  }
  return i > at && Number.isSafeInteger(n) ? n : undefined;
}

/** The JSON object starting at `at`, found by matching braces outside strings, parsed; undefined if cut or malformed. */
export function parseObject(line: string, at: number): Record<string, unknown> | undefined {
  let depth = 0;
  let inString = false;
  for (let i = at; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) {
      try {
        // Read as latin1: the counts are ASCII numbers (a non-ASCII string an engine added would only read oddly).
        return JSON.parse(line.slice(at, i + 1)) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
