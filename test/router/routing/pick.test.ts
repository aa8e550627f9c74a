// Target order (routing/pick.ts): the ranking, one candidate per backend, and routing.policy.
import { describe, expect, it } from "vitest";
import { orderTargets, type CandidateView } from "../../../router/routing/pick.js";
import { view } from "./view.js";

describe("the ranked order", () => {
  it.each<[string, CandidateView[], string[]]>([
    ["configured order by default", [view(0), view(1), view(2)], ["b0", "b1", "b2"]],
    ["down after up", [view(0, { health: "down" }), view(1)], ["b1", "b0"]],
    ["ejected last, but still present", [view(0, { admission: "ejected" }), view(1, { health: "down" })], ["b1", "b0"]],
    ["misconfigured after ejected", [view(0, { health: "misconfigured" }), view(1, { admission: "ejected" })], ["b1", "b0"]],
    ["warming after busy", [view(0, { health: "warming" }), view(1, { busy: true })], ["b1", "b0"]],
    ["loaded beats cold", [view(0, { warmth: "cold" }), view(1)], ["b1", "b0"]],
    ["cold beats missing", [view(0, { warmth: "missing" }), view(1, { warmth: "cold" })], ["b1", "b0"]],
    ["free beats saturated", [view(0, { saturated: true }), view(1)], ["b1", "b0"]],
    ["loaded but saturated beats cold and free", [view(0, { warmth: "cold" }), view(1, { saturated: true })], ["b1", "b0"]],
    [
      "same model: fewest in flight first",
      [view(0, { model: "x", inFlight: 3 }), view(1, { model: "x", inFlight: 1 }), view(2, { model: "y" })],
      ["b1", "b0", "b2"],
    ],
    ["different models keep order despite load", [view(0, { inFlight: 9 }), view(1)], ["b0", "b1"]],
    ["unknown health after up", [view(0, { health: "unknown" }), view(1)], ["b1", "b0"]],
    ["a trial after an ejection keeps its place", [view(0, { admission: "trial" }), view(1)], ["b0", "b1"]],
  ])("%s", (_label, input, expected) => {
    expect(orderTargets(input, "ranked").map((c) => c.backend)).toEqual(expected);
  });

  it("keeps one candidate per backend", () => {
    const ranked = [view(0, { backend: "x" }), view(1, { backend: "y" }), view(2, { backend: "x" })];
    expect(orderTargets(ranked, "first").map((c) => c.index)).toEqual([0, 1]);
    expect(orderTargets(ranked, "ranked").map((c) => c.index)).toEqual([0, 1]);
  });

  it("routing.policy first keeps the configured order whatever the state; ranked puts the warm, healthy target first", () => {
    const views = [view(0, { warmth: "cold" }), view(1, { health: "down" }), view(2), view(3, { backend: "b0" })];
    expect(orderTargets(views, "first").map((c) => c.index)).toEqual([0, 1, 2]);
    // b0 serves the model warm as its second target (index 3): that one stands for b0.
    expect(orderTargets(views, "ranked").map((c) => c.index)).toEqual([2, 3, 1]);
  });
});
