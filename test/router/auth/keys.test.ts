// Client keys (auth/keys.ts): the headers a key comes in, and its alias scope.
import { describe, expect, it } from "vitest";
import { authenticate, compileKeys, mayUse } from "../../../router/auth/keys.js";
import { sha256 } from "../harness.js";

describe("auth", () => {
  const keys = compileKeys([
    { name: "laptop", sha256: sha256("k1"), aliases: ["micro"] },
    { name: "admin", sha256: sha256("k2") },
  ]);

  it.each([
    [{ authorization: "Bearer k1" }, "laptop"],
    [{ authorization: "bearer k2" }, "admin"],
    [{ "x-api-key": "k1" }, "laptop"],
  ])("accepts %j", (headers, name) => {
    const r = authenticate(headers, keys);
    expect(r.ok && r.key?.name).toBe(name);
  });

  it.each([[{}], [{ authorization: "Basic k1" }], [{ authorization: "Bearer k3" }], [{ "x-api-key": "" }]])("rejects %j", (headers) => {
    expect(authenticate(headers, keys).ok).toBe(false);
  });

  it("is off without keys, and scopes are per alias", () => {
    expect(authenticate({}, []).ok).toBe(true);
    expect(mayUse(keys[0], "micro")).toBe(true);
    expect(mayUse(keys[0], "coder")).toBe(false);
    expect(mayUse(keys[1], "coder")).toBe(true);
    const spaced = compileKeys([{ name: "spaced", sha256: sha256("spaced") }]);
    expect(authenticate({ authorization: "Bearer  spaced " }, spaced)).toMatchObject({ ok: true, key: { name: "spaced" } });
  });
});
