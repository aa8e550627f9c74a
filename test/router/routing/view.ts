// A candidate as routing/pick.ts sees it: up, open, free and loaded unless told otherwise.
import type { CandidateView } from "../../../router/routing/pick.js";

export const view = (index: number, over: Partial<CandidateView> = {}): CandidateView => ({
  index,
  backend: `b${index}`,
  model: `m${index}`,
  health: "up",
  admission: "open",
  busy: false,
  saturated: false,
  warmth: "loaded",
  inFlight: 0,
  ...over,
});
