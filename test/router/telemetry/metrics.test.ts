// The metrics' cached label children (telemetry/metrics.ts) record the same series as labelled calls.
import { describe, expect, it } from "vitest";
import { RouterMetrics } from "../../../router/telemetry/metrics.js";

describe("RouterMetrics cached children", () => {
  it("records the same series as labelled calls would, per label set", async () => {
    const m = new RouterMetrics();
    m.countRequest("openai", "/v1/chat/completions", "coder", "spark", 200);
    m.countRequest("openai", "/v1/chat/completions", "coder", "spark", 200);
    m.countRequest("anthropic", "/v1/chat/completions", "coder", "spark", 502);
    m.observeDuration("coder", "spark", 0.002);
    m.observeTtfb("coder", "spark", 0.001);
    const text = await m.registry.metrics();
    expect(text).toContain('router_requests_total{face="openai",path="/v1/chat/completions",alias="coder",backend="spark",status="200"} 2');
    expect(text).toContain('router_requests_total{face="anthropic",path="/v1/chat/completions",alias="coder",backend="spark",status="502"} 1');
    expect(text).toContain('router_request_duration_seconds_count{alias="coder",backend="spark"} 1');
    expect(text).toContain('router_time_to_first_byte_seconds_bucket{le="0.005",alias="coder",backend="spark"} 1');
  });

  it("keeps counting a backend after its cache entries were dropped", async () => {
    const m = new RouterMetrics();
    m.countRequest("openai", "/v1/chat/completions", "coder", "spark", 200);
    m.forgetBackend("spark");
    m.countRequest("openai", "/v1/chat/completions", "coder", "spark", 200);
    expect(await m.registry.metrics()).toContain(
      'router_requests_total{face="openai",path="/v1/chat/completions",alias="coder",backend="spark",status="200"} 2',
    );
  });
});
