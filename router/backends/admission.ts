// A backend's passive state (what real traffic said about it) and the one question everyone asks of
// it: may traffic go there now? The passive tracker (health/passive.ts) is what writes this state.

export interface PassiveState {
  consecutiveFailures: number;
  ejected: boolean;
  ejectedUntil: number;
  timesEjected: number;
  trialInFlight: boolean;
  /** Deprioritized until then after a 429 / queue full. */
  busyUntil: number;
  /** The latest failure was a refused connection: the server was not running then (crashed, stopped). */
  lastRefused: boolean;
}

export function freshPassive(): PassiveState {
  return { consecutiveFailures: 0, ejected: false, ejectedUntil: 0, timesEjected: 0, trialInFlight: false, busyUntil: 0, lastRefused: false };
}

export type Admission = "open" | "trial" | "ejected";

/** Whether traffic may go to the backend now. */
export function admission(s: PassiveState, now: number): Admission {
  if (!s.ejected) return "open";
  if (now >= s.ejectedUntil && !s.trialInFlight) return "trial";
  return "ejected";
}
