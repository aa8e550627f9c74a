// Docker parses a --gpus value (and the Docker provider's `gpus`) as one CSV record, field by field
// (docker/cli opts/gpus.go, GpuOpts.Set): `key=value` fields, and a bare field is a count. An unquoted
// device list `device=0,1` is two fields, `device=0` and the count `1`, and the daemon refuses the
// request: "cannot set both Count and DeviceIDs on device request" (the home stack's unraid GPUs, seen
// by npm run e2e:lab). The provider strips a quoted value's quotes before parsing it, so containers get
// structured deviceRequests instead; the --gpus string stays the CLI's form (plan reports, docs).
import { describe, expect, it } from "vitest";
import { validateStackConfig } from "../../../infra/config/load.js";
import { dockerDeviceRequest, gpuRequest } from "../../../infra/specs/hosts.js";
import { stackSpec } from "../../../infra/specs/stack.js";
import { byType, readStackFile, runProgram, testHome, withSecrets } from "../harness.js";

/** One CSV record as Go's encoding/csv reads it (comma-separated, double quotes group, "" escapes a quote). */
function csvRecord(s: string): string[] {
  const fields: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === "") quoted = true;
    else if (c === ",") {
      fields.push(cur);
      cur = "";
    } else cur += c;
  }
  fields.push(cur);
  return fields;
}

/** The device request Docker builds from a --gpus value (the fields GpuOpts.Set reads). */
function dockerGpuRequest(value: string): { count?: number; deviceIds?: string[] } {
  const req: { count?: number; deviceIds?: string[] } = {};
  for (const field of csvRecord(value)) {
    const eq = field.indexOf("=");
    if (eq < 0) req.count = field === "all" ? -1 : Number(field);
    else if (field.slice(0, eq) === "device") req.deviceIds = field.slice(eq + 1).split(",");
    else if (field.slice(0, eq) === "count") req.count = Number(field.slice(eq + 1));
  }
  return req;
}

describe("GPU requests as Docker reads them", () => {
  it.each([
    [
      ["0", "1"],
      ["0", "1"],
    ],
    [["3"], ["3"]],
    [
      ["GPU-8f3a", "GPU-1b2c", "GPU-77de"],
      ["GPU-8f3a", "GPU-1b2c", "GPU-77de"],
    ],
  ])("a device list %j is those devices and no count", (ids, expected) => {
    const req = dockerGpuRequest(gpuRequest("all", ids) ?? "");
    expect(req).toEqual({ deviceIds: expected });
  });

  it("all is every GPU (count -1)", () => {
    expect(dockerGpuRequest(gpuRequest("all", undefined) ?? "")).toEqual({ count: -1 });
  });

  it("every GPU request of the home stack reads back as the host's devices", () => {
    const r = validateStackConfig({ values: withSecrets(readStackFile("home")), secretKeys: new Set(["secrets"]) });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const withGpus = stackSpec(r.config, testHome).containers.filter((c) => c.gpus);
    expect(withGpus.length).toBeGreaterThan(0);
    for (const c of withGpus) {
      const hostGpus = r.config.hosts[c.host]?.gpus;
      const req = dockerGpuRequest(c.gpus ?? "");
      expect(req, c.name).toEqual(hostGpus === "all" ? { count: -1 } : { deviceIds: hostGpus });
    }
  });

  it("each GPU request reaches the Docker provider as a structured device request that means the same", async () => {
    for (const ids of [["0", "1"], ["7"]]) {
      const value = gpuRequest("all", ids) ?? "";
      expect(dockerDeviceRequest(value)).toEqual({ driver: "nvidia", deviceIds: dockerGpuRequest(value).deviceIds, capabilities: ["gpu"] });
    }
    expect(dockerDeviceRequest("all")).toEqual({ driver: "nvidia", count: -1, capabilities: ["gpu"] });
    const run = await runProgram(withSecrets(readStackFile("home")));
    const containers = byType(run, "docker:index/container:Container");
    for (const c of containers) expect(c.inputs.gpus, c.name).toBeUndefined();
    const kokoro = containers.find((c) => c.name === "kokoro");
    expect(kokoro?.inputs.deviceRequests).toEqual([{ driver: "nvidia", deviceIds: ["0", "1"], capabilities: ["gpu"] }]);
  });
});
