// Every container the program creates carries the stack's labels, so `npm run drift` can list a host's
// containers of this stack (`docker ps --filter label=...`) and find the ones the stack does not declare.
import { expect, it } from "vitest";
import { byType, readStackFile, runProgram, withSecrets } from "../harness.js";

it.each(["home", "local"])("every container of the %s stack carries aistack.project and aistack.stack", async (stack) => {
  const run = await runProgram(withSecrets(readStackFile(stack)));
  const containers = byType(run, "docker:index/container:Container");
  expect(containers.length).toBeGreaterThan(0);
  for (const c of containers) {
    expect(c.inputs.labels).toEqual([
      { label: "aistack.project", value: "aistack" },
      { label: "aistack.stack", value: "test" },
    ]);
  }
});
