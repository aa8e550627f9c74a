// The lab's network: a bridge in the root namespace and one network namespace per host, joined by a
// veth pair. The namespaces get no default route, so nothing in them (hosts, containers) can reach
// beyond the bridge: no traffic from the lab leaves the machine.
import { BRIDGE, BRIDGE_ADDRESS, type LabHost } from "./layout.js";
import { sh, trySh } from "./sys.js";

function linkExists(name: string): boolean {
  return trySh("ip", ["link", "show", name]);
}

function netnsExists(name: string): boolean {
  return sh("ip", ["netns", "list"])
    .split("\n")
    .some((l) => l.split(" ")[0] === name);
}

/**
 * With br_netfilter loaded (a dockerd in the root namespace loads it), frames crossing the bridge pass
 * the root namespace's FORWARD chain, whose policy Docker sets to DROP: this rule lets the lab's hosts
 * reach each other, and nothing else.
 */
const FORWARD_RULE = ["FORWARD", "-i", BRIDGE, "-o", BRIDGE, "-m", "comment", "--comment", "aistack-lab", "-j", "ACCEPT"];

function iptablesPresent(): boolean {
  return trySh("iptables", ["-S", "FORWARD"]);
}

export function bridgeUp(): void {
  if (!linkExists(BRIDGE)) sh("ip", ["link", "add", BRIDGE, "type", "bridge"]);
  if (iptablesPresent() && !trySh("iptables", ["-C", ...FORWARD_RULE])) sh("iptables", ["-I", ...FORWARD_RULE]);
  if (!sh("ip", ["-4", "addr", "show", "dev", BRIDGE]).includes(`${BRIDGE_ADDRESS}/`)) sh("ip", ["addr", "add", `${BRIDGE_ADDRESS}/24`, "dev", BRIDGE]);
  sh("ip", ["link", "set", BRIDGE, "up"]);
}

export function hostNetworkUp(h: LabHost): void {
  if (!netnsExists(h.netns)) sh("ip", ["netns", "add", h.netns]);
  const inNs = (args: string[]): string => sh("ip", ["netns", "exec", h.netns, ...args]);
  if (!linkExists(h.veth)) sh("ip", ["link", "add", h.veth, "type", "veth", "peer", "name", "eth0", "netns", h.netns]);
  sh("ip", ["link", "set", h.veth, "master", BRIDGE, "up"]);
  inNs(["ip", "link", "set", "lo", "up"]);
  if (!inNs(["ip", "-4", "addr", "show", "dev", "eth0"]).includes(`${h.address}/`)) inNs(["ip", "addr", "add", `${h.address}/24`, "dev", "eth0"]);
  inNs(["ip", "link", "set", "eth0", "up"]);
}

/** Removes what hostNetworkUp made; a missing piece is not an error (down runs twice). */
export function hostNetworkDown(h: { netns: string; veth: string }): void {
  if (netnsExists(h.netns)) trySh("ip", ["netns", "delete", h.netns]);
  if (linkExists(h.veth)) trySh("ip", ["link", "delete", h.veth]);
}

export function bridgeDown(): void {
  if (linkExists(BRIDGE)) trySh("ip", ["link", "delete", BRIDGE]);
  while (iptablesPresent() && trySh("iptables", ["-C", ...FORWARD_RULE])) sh("iptables", ["-D", ...FORWARD_RULE]);
}

/** Pids of every process in a network namespace (daemons, containers, shims). */
export function netnsPids(netns: string): number[] {
  if (!netnsExists(netns)) return [];
  return sh("ip", ["netns", "pids", netns])
    .split("\n")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}
