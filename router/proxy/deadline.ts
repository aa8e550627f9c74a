// The failover loop's one piece of arithmetic (forward.ts): each attempt's share of the first-byte
// deadline (test/router/proxy/deadline.test.ts).

/**
 * The share of the first-byte deadline one attempt may wait: what is left, split fairly among the
 * attempts still possible (this one included), so a hung first backend leaves time for the next.
 */
export function shareOfDeadline(remaining: number, attemptNo: number, targetsLeft: number, retriesMax: number): number {
  const left = Math.min(retriesMax + 2 - attemptNo, targetsLeft);
  return remaining / Math.max(1, left);
}
