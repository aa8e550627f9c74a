// SIGTERM and SIGINT, one rule for both: the first starts the drain; a second keeps it (said in the
// log, so an impatient supervisor or a double Ctrl-C does not cut streams without their in-band
// error); a third ends the process at once, also said in the log (test/router/http/signals.test.ts).
import type { Logger } from "../telemetry/log.js";

const STOP_SIGNALS = ["SIGTERM", "SIGINT"] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];

interface SignalSource {
  on(signal: StopSignal, listener: () => void): unknown;
}

export interface StopHandlers {
  /** Starts the drain (called once). */
  drain(signal: StopSignal): void;
  /** Ends the process now (the third signal). */
  force(signal: StopSignal): void;
  /** Requests still open, for the log lines. */
  inFlight(): number;
}

export function onStopSignals(source: SignalSource, logger: Logger, h: StopHandlers): void {
  let count = 0;
  const on = (signal: StopSignal): void => {
    count++;
    if (count === 1) return h.drain(signal);
    if (count === 2) {
      logger.event("warn", "already draining; the requests in flight keep their drain time (a third signal forces exit)", { signal, inFlight: h.inFlight() });
      return;
    }
    logger.event("error", "forced exit: the requests still open are cut without an answer", { signal, inFlight: h.inFlight() });
    h.force(signal);
  };
  for (const s of STOP_SIGNALS) source.on(s, () => on(s));
}
