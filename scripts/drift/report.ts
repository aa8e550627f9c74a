// Pure: findings → the report (one line per finding, grouped by host), its JSON form and the exit code.
import { unreadableKinds, type DesiredState, type Finding } from "./types.js";

export const exitCodes = { clean: 0, drift: 1, unreadable: 2 } as const;

export function exitCode(findings: readonly Finding[]): number {
  if (findings.some((f) => unreadableKinds.has(f.kind))) return exitCodes.unreadable;
  return findings.length ? exitCodes.drift : exitCodes.clean;
}

const verdicts = { [exitCodes.clean]: "clean", [exitCodes.drift]: "drift", [exitCodes.unreadable]: "incomplete" } as Record<number, string>;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function summary(desired: DesiredState, findings: readonly Finding[]): string {
  const unread = findings.filter((f) => unreadableKinds.has(f.kind));
  const drift = findings.length - unread.length;
  const parts = [`stack ${desired.stack}: ${plural(desired.hosts.length, "host")}, ${drift === 0 ? "no drift" : plural(drift, "finding")}`];
  if (unread.length) parts.push(`${plural(unread.length, "read")} failed (${[...new Set(unread.map((f) => `${f.host}: ${f.subject}`))].join(", ")})`);
  return parts.join("; ");
}

export function renderText(desired: DesiredState, findings: readonly Finding[]): string {
  const lines = [summary(desired, findings)];
  const width = Math.max(0, ...findings.map((f) => f.kind.length));
  for (const h of desired.hosts) {
    const mine = findings.filter((f) => f.host === h.name);
    lines.push(`${h.name} (${h.docker}): ${mine.length ? plural(mine.length, "finding") : "clean"}`);
    for (const f of mine) lines.push(`  ${f.kind.padEnd(width)}  ${f.subject}: stack ${f.stack}; live ${f.live}. Fix: ${f.fix}`);
  }
  return `${lines.join("\n")}\n`;
}

export function renderJson(desired: DesiredState, findings: readonly Finding[]): string {
  const code = exitCode(findings);
  const report = {
    stack: desired.stack,
    verdict: verdicts[code],
    exitCode: code,
    hosts: desired.hosts.map((h) => ({
      name: h.name,
      docker: h.docker,
      findings: findings.filter((f) => f.host === h.name).map((f) => ({ kind: f.kind, subject: f.subject, stack: f.stack, live: f.live, fix: f.fix })),
    })),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** The last line of defence: any secret's text that reached the output anyway is replaced. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join("[secret]");
  return out;
}
