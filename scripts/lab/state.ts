// What the lab made, recorded as it is made, so `down` (another process, maybe after a failed `up`)
// ends exactly that: daemons by pid, namespaces and links by name, users it created, its directory.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface LabState {
  dir: string;
  bridge?: string;
  /** Per host: its namespace, veth, cgroup parent and daemons. */
  hosts: Record<string, { netns: string; veth: string; cgroup: string; pids: Record<string, number> }>;
  /** Daemons of the root namespace: ssh-agent, etcd, kube-apiserver, Traefik. */
  pids: Record<string, number>;
  /** Users the lab created (removed by down), and users it added to the docker group. */
  createdUsers: string[];
  addedToDocker: string[];
}

function stateFile(dir: string): string {
  return join(dir, "state.json");
}

export function readState(dir: string): LabState | undefined {
  const f = stateFile(dir);
  if (!existsSync(f)) return undefined;
  return JSON.parse(readFileSync(f, "utf8")) as LabState;
}

/** Writes the state after every change, so a crash in the middle of `up` leaves a state `down` can end. */
export class StateRecorder {
  readonly state: LabState;
  constructor(dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    this.state = readState(dir) ?? { dir, hosts: {}, pids: {}, createdUsers: [], addedToDocker: [] };
    this.save();
  }
  update(change: (s: LabState) => void): void {
    change(this.state);
    this.save();
  }
  private save(): void {
    writeFileSync(stateFile(this.state.dir), `${JSON.stringify(this.state, null, 2)}\n`);
  }
}
