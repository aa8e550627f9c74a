// A test oracle: durations as the Docker provider stores them. The provider keeps Go's
// `time.Duration.String()` form (`30s`, `1m0s`, `3m0s`, `1h0m0s`) in its state, so an input written any
// other way (`60s`, `3m`) differs from the stored value on every preview and shows as a perpetual update
// of the container.

const unitNs: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const durationPattern = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;

/** True for a string Go's time.ParseDuration accepts (unsigned, as healthcheck fields are). */
export function isGoDuration(s: string): boolean {
  return durationPattern.test(s);
}

/** Go's time.ParseDuration for the unsigned forms above, in nanoseconds. */
function parseGoDuration(s: string): number {
  if (!isGoDuration(s)) throw new Error(`not a duration: ${s}`);
  let ns = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ns += Number(m[1]) * (unitNs[m[2] as string] as number);
  return Math.round(ns);
}

/** A number with up to 9 fractional digits, trailing zeros dropped (Go's fmtFrac). */
function frac(value: number, unit: number): string {
  const whole = Math.floor(value / unit);
  const rest = value % unit;
  if (rest === 0) return String(whole);
  const digits = String(rest)
    .padStart(String(unit).length - 1, "0")
    .replace(/0+$/, "");
  return `${whole}.${digits}`;
}

/** Go's time.Duration.String() for a non-negative whole number of nanoseconds. */
function goDurationNs(ns: number): string {
  if (!Number.isInteger(ns) || ns < 0) throw new Error(`expected whole nanoseconds, got ${ns}`);
  if (ns === 0) return "0s";
  if (ns < 1e3) return `${ns}ns`;
  if (ns < 1e6) return `${frac(ns, 1e3)}µs`;
  if (ns < 1e9) return `${frac(ns, 1e6)}ms`;
  const h = Math.floor(ns / 3600e9);
  const m = Math.floor((ns % 3600e9) / 60e9);
  const s = `${frac(ns % 60e9, 1e9)}s`;
  if (h > 0) return `${h}h${m}m${s}`;
  if (m > 0) return `${m}m${s}`;
  return s;
}

/** The form the provider stores for a duration written as `s`. */
export function canonicalGoDuration(s: string): string {
  return goDurationNs(parseGoDuration(s));
}
