// The soak's one summary: figures, how they print, and which must be 0.

export interface SoakSummary {
  seconds: number;
  clients: number;
  sent: number;
  succeeded: number;
  abortedByClient: number;
  failed: number;
  failedByReason: Record<string, number>;
  /** A few answers per failure reason, to see what clients saw. */
  failureSamples: Record<string, string[]>;
  /** Failures other than a stream whose backend had already started answering: another target was healthy for each. */
  failuresWithHealthyAlternative: number;
  silentTruncations: number;
  /** Requests or generations still running at the fakes after every client finished and a settle time. */
  upstreamLeftOpen: number;
  /** Idle keep-alive and probe connections still open (informational: the pool keeps them by design). */
  upstreamIdleConnections: number;
  retries: number;
  ejections: number;
  backendKills: number;
  configRewrites: { valid: number; invalid: number; reloadsOk: number; reloadsRejected: number };
  routerAlive: boolean;
  rssMiB: { start: number; peak: number; end: number };
}

export function mustBeZero(s: SoakSummary): Record<string, number> {
  return {
    failuresWithHealthyAlternative: s.failuresWithHealthyAlternative,
    silentTruncations: s.silentTruncations,
    upstreamLeftOpen: s.upstreamLeftOpen,
    routerDown: s.routerAlive ? 0 : 1,
  };
}

export function passed(s: SoakSummary): boolean {
  return Object.values(mustBeZero(s)).every((v) => v === 0);
}

export function formatSummary(s: SoakSummary): string {
  const reasons = Object.entries(s.failedByReason)
    .sort((a, b) => b[1] - a[1])
    .flatMap(([r, n]) => [`    ${r}: ${n}`, ...(s.failureSamples[r] ?? []).map((d) => `      e.g. ${d}`)]);
  const zero = Object.entries(mustBeZero(s)).map(([k, v]) => `    ${k}: ${v}${v === 0 ? "" : "   <-- must be 0"}`);
  return [
    `soak: ${s.seconds} s, ${s.clients} concurrent clients, 3 faces, ${s.backendKills} backend kills, ${s.configRewrites.valid} valid + ${s.configRewrites.invalid} invalid config rewrites`,
    `  requests sent:       ${s.sent}`,
    `  succeeded:           ${s.succeeded}`,
    `  aborted by client:   ${s.abortedByClient}`,
    `  failed:              ${s.failed}`,
    ...reasons,
    `  retries:             ${s.retries}`,
    `  ejections:           ${s.ejections}`,
    `  config reloads:      ${s.configRewrites.reloadsOk} ok, ${s.configRewrites.reloadsRejected} rejected`,
    `  idle upstream conns: ${s.upstreamIdleConnections} (keep-alive pool and probes)`,
    `  router RSS MiB:      start ${s.rssMiB.start}, peak ${s.rssMiB.peak}, end ${s.rssMiB.end}`,
    `  must be 0:`,
    ...zero,
    passed(s) ? "PASS" : "FAIL",
  ].join("\n");
}
