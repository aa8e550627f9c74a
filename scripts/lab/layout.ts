// Where the lab puts things: one network namespace per host of stacks/Pulumi.home.yaml on a private
// bridge, and one directory for everything it makes (keys, sockets, daemons' state, the project copy).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "../e2e/router.js";

/** The lab's subnet: private, not the home network's 10.0.0.0/24, so the two are never confused. */
export const LAB_NET = "10.77.0";
export const BRIDGE = "aslab0";
export const BRIDGE_ADDRESS = `${LAB_NET}.1`;

/**
 * The lab's directory. Not under ~ (mode 700 on root): sshd reads authorized keys as the login user and
 * the Docker CLI of the stack's user opens the host's socket, so every directory on the way must be
 * traversable, root-owned and not group/world writable (sshd's StrictModes), as /var/lib is.
 */
export function labDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.AISTACK_LAB_DIR ?? "/var/lib/aistack-lab";
}

export const HOME_STACK_FILE = join(REPO_ROOT, "stacks", "Pulumi.home.yaml");

export interface HomeHost {
  name: string;
  address: string;
  user: string;
}

/** The hosts of a home stack file's text, in file order (ssh hosts only; the home stack has no other). */
export function homeHosts(stackYaml: string): HomeHost[] {
  const doc = parse(stackYaml) as { config?: Record<string, unknown> } | null;
  const hosts = doc?.config?.["aistack:hosts"];
  if (!hosts || typeof hosts !== "object") throw new Error("the stack file declares no aistack:hosts");
  return Object.entries(hosts as Record<string, { address?: unknown; user?: unknown; kind?: unknown }>).map(([name, h]) => {
    if (h.kind !== undefined && h.kind !== "ssh") throw new Error(`host ${name} is kind ${JSON.stringify(h.kind)}: the lab stands up ssh hosts only`);
    if (typeof h.address !== "string") throw new Error(`host ${name} has no address`);
    return { name, address: h.address, user: typeof h.user === "string" ? h.user : "root" };
  });
}

export interface LabHost {
  name: string;
  /** The address on the lab bridge (replaces the home address). */
  address: string;
  user: string;
  sshPort: number;
  /** Network namespace and the bridge-side veth. */
  netns: string;
  veth: string;
  /** Everything of this host: dockerd's state, sshd's config and keys, the host's /opt. */
  dir: string;
}

/**
 * Lab addresses keep the home address's last octet where that is unique (10.0.0.11 -> 10.77.0.11), so a
 * reader recognises the host; other hosts get free octets from 100 up.
 */
export function planHosts(home: readonly HomeHost[], dir: string): LabHost[] {
  const used = new Set<number>([1]);
  const octets = home.map((h) => {
    const m = /^\d+\.\d+\.\d+\.(\d+)$/.exec(h.address);
    const o = m ? Number(m[1]) : NaN;
    if (o >= 2 && o <= 254 && !used.has(o)) {
      used.add(o);
      return o;
    }
    return undefined;
  });
  let next = 100;
  return home.map((h, i) => {
    let o = octets[i];
    if (o === undefined) {
      while (used.has(next)) next++;
      o = next;
      used.add(o);
    }
    return { name: h.name, address: `${LAB_NET}.${o}`, user: h.user, sshPort: 22, netns: `aslab-${h.name}`, veth: `aslv${i}`, dir: join(dir, "hosts", h.name) };
  });
}

export function labHosts(dir = labDir()): LabHost[] {
  return planHosts(homeHosts(readFileSync(HOME_STACK_FILE, "utf8")), dir);
}
