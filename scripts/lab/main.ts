// npm run lab -- up | down
//
// up:   stands up the home stack's network on this machine (see docs/lab.md) and prints one line of JSON.
// down: removes everything the lab made; safe to run twice.

import { labDir } from "./layout.js";
import { labDown } from "./hosts.js";
import { labUp } from "./up.js";
import { say } from "./sys.js";

const HELP = `usage: npm run lab -- <up [--deploy]|down>

  up     Stand up the lab: one network namespace per host of stacks/Pulumi.home.yaml (sshd, dockerd),
         a Kubernetes API server and Traefik, a project copy with the lab stack generated from the home
         stack. Prints one line of JSON (Traefik URL, domain, router key, hosts, kubeconfig, stack,
         working directory, the environment a pulumi command needs). Runs down first if a lab stands.
         --deploy also runs \`pulumi up -s lab\` there, so the whole stack stands.
  down   Stop and remove everything the lab made (namespaces, daemons, files). Safe to run twice.

Needs root, Linux network namespaces, Debian's openssh-server and docker.io (installed when missing).
Lab directory: ${labDir()} (AISTACK_LAB_DIR).
`;

async function main(): Promise<number> {
  const cmd = process.argv[2];
  if (cmd === "down") {
    await labDown(labDir());
    say("down: nothing of the lab is left");
    return 0;
  }
  if (cmd === "up") {
    const info = await labUp(labDir(), { deploy: process.argv.includes("--deploy") });
    process.stdout.write(`${JSON.stringify(info)}\n`);
    return 0;
  }
  process.stdout.write(HELP);
  return cmd === "--help" || cmd === "-h" ? 0 : 2;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(`failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
