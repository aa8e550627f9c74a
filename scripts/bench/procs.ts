// The benchmark's process kit beside the scripts' child-process helper (scripts/lib/child.ts): one-shot
// HTTP probes, and the resident memory of a process tree.
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";

export interface Probe {
  status: number;
  body: string;
}

/** One request on a fresh connection, bounded by timeoutMs. */
export function probe(url: string, init: { method?: string; body?: string; headers?: Record<string, string> }, timeoutMs = 5000): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? "GET", headers: init.headers, agent: false, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (s: string) => {
        if (body.length < 8192) body += s;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(init.body);
  });
}

/** The pid and all its descendants, from /proc (Linux). */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the parenthesized command name: state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // The process ended while we looked.
    }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Resident set size of the process tree, in MiB (VmRSS from /proc/<pid>/status). */
export function treeRssMb(root: number): number {
  let kb = 0;
  for (const pid of processTree(root)) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) kb += Number(m[1]);
    } catch {
      // Gone.
    }
  }
  return kb / 1024;
}
