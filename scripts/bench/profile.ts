// Summarises a V8 .cpuprofile (from `npm run bench -- --router-prof DIR`): the frames with the
// most self time, so a run's hot spots can be read without DevTools.
// Usage: tsx scripts/bench/profile.ts <file.cpuprofile> [top N]
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Frame {
  frame: string;
  selfMs: number;
  share: number;
}

/** Self time per frame (function @ file:line), largest first. */
export function topFrames(profile: CpuProfile, top: number): Frame[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    if (!n) return;
    const { functionName, url, lineNumber } = n.callFrame;
    const file = url.replace(/^.*\/node_modules\//, "node_modules/").replace(/^file:\/\/.*?\/(router|scripts)\//, "$1/");
    const key = `${functionName || "(anonymous)"} ${file ? `${file}:${lineNumber + 1}` : ""}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, us]) => ({ frame, selfMs: us / 1000, share: total > 0 ? us / total : 0 }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write("usage: tsx scripts/bench/profile.ts <file.cpuprofile> [top N]\n");
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  for (const f of topFrames(profile, Number(process.argv[3] ?? 25))) {
    process.stdout.write(`${(f.share * 100).toFixed(1).padStart(5)}%  ${f.selfMs.toFixed(0).padStart(7)} ms  ${f.frame}\n`);
  }
}
