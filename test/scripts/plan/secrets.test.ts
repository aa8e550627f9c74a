// No secret value reaches a report: filled-in placeholders, encrypted stack values, secret-named env.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { diffCaptures } from "../../../scripts/plan/diff.js";
import { renderReport } from "../../../scripts/plan/report.js";
import { stackValues } from "../../../scripts/plan/stackFile.js";
import { project, stackNames, stackText } from "../../infra/harness.js";
import { capture, configOf } from "./fixtures.js";

const sha = (s: string): string => createHash("sha256").update(s, "utf8").digest("hex");

describe("stack values", () => {
  it("fill the secrets a stack file leaves out, and replace encrypted ones", () => {
    const text = `${stackText("home")}  aistack:secrets:\n    kubeconfig:\n      secure: v1:abc\n    apiKeys:\n      laptop:\n        secure: v1:def\n`;
    const v = stackValues(text, project);
    const secrets = v.values.secrets as { apiKeys: Record<string, string>; kubeconfig: string; hfToken: string };
    expect(secrets.kubeconfig).toBe("plan-placeholder-secrets.kubeconfig");
    expect(secrets.apiKeys.laptop).toBe("plan-placeholder-secrets.apiKeys.laptop");
    expect(secrets.apiKeys["open-webui"]).toBe("plan-placeholder-secrets.apiKeys.open-webui");
    expect(secrets.hfToken).toBe("plan-placeholder-secrets.hfToken");
    expect(v.secretKeys).toEqual(["secrets"]);
    expect(v.placeholders).toContain("plan-placeholder-secrets.kubeconfig");
  });
});

describe.each(stackNames)("the %s stack's report", (stack) => {
  it("never prints a secret, nor a full digest of one", async () => {
    const config = configOf(stack);
    const c = await capture(stack, config);
    const report = renderReport(c, diffCaptures({ ...c, resources: [], absent: true, aliases: {} }, c), { ref: "main", commit: "0123456789ab" }, c);
    expect(config.placeholders.length).toBeGreaterThan(0);
    for (const p of config.placeholders) {
      expect(report).not.toContain(p);
      expect(report).not.toContain(sha(p));
    }
    expect(report).not.toContain("plan-placeholder");
  });
});

describe("secrets in the Open WebUI env", () => {
  it("mask the secret key, the router key and any secret-named extra env, keep the rest readable", async () => {
    const config = configOf("home");
    const owui = structuredClone(config.values.openWebUI) as Record<string, unknown>;
    owui.env = { EXTRA_API_TOKEN: "tok-visible-nowhere-0001", EXTRA_FLAG: "on" };
    const c = await capture("home", { ...config, values: { ...config.values, openWebUI: owui as never } });
    const report = renderReport(c);
    expect(report).toContain("`WEBUI_SECRET_KEY=[secret]`");
    expect(report).toContain("`OPENAI_API_KEYS=[secret]`");
    expect(report).toContain("`EXTRA_API_TOKEN=[secret]`");
    expect(report).toContain("`EXTRA_FLAG=on`");
    expect(report).toContain("`HF_TOKEN=[secret]`");
    expect(report).not.toContain("tok-visible-nowhere-0001");
  });
});
