// The nesting check every parsed request body passes (http/body.ts): validation and re-serialisation
// recurse, so a hostile depth would overflow the stack there (test/router/http/json-depth.test.ts).

/** Whether a parsed JSON value nests arrays/objects deeper than `limit` (iterative: no recursion to overflow). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  // Two parallel stacks and for-in: this runs on every request, so no tuple or Object.values array per object.
  const values: object[] = [];
  const depths: number[] = [];
  if (typeof value === "object" && value !== null) {
    values.push(value);
    depths.push(0);
  }
  while (values.length > 0) {
    const v = values.pop() as Record<string, unknown>;
    const depth = depths.pop() as number;
    if (depth >= limit) return true;
    for (const k in v) {
      // v["__proto__"] would read the prototype, not the own key JSON.parse made: read that one.
      const child = k === "__proto__" ? (Object.getOwnPropertyDescriptor(v, k)?.value as unknown) : v[k];
      if (typeof child === "object" && child !== null) {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
