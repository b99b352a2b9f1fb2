import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../src/util/backoff.js";

describe("backoffDelay", () => {
  it("doubles from firstMs per attempt and stops at maxMs", () => {
    const delays = Array.from({ length: 7 }, (_, attempt) => backoffDelay(attempt, { firstMs: 5, maxMs: 100, jitter: "none" }));
    expect(delays).toEqual([5, 10, 20, 40, 80, 100, 100]);
  });

  it("stays finite and at maxMs for any attempt", () => {
    expect(backoffDelay(10_000, { firstMs: 1, maxMs: 50, jitter: "none" })).toBe(50);
    expect(backoffDelay(10_000, { firstMs: 0, maxMs: 50, jitter: "none" })).toBe(0);
  });

  it("full jitter lies in [0, delay), half jitter in [delay / 2, delay]", () => {
    for (let i = 0; i < 200; i++) {
      const full = backoffDelay(3, { firstMs: 1, maxMs: 50, jitter: "full" });
      const half = backoffDelay(3, { firstMs: 1, maxMs: 50, jitter: "half" });
      expect(full).toBeGreaterThanOrEqual(0);
      expect(full).toBeLessThan(8);
      expect(half).toBeGreaterThanOrEqual(4);
      expect(half).toBeLessThanOrEqual(8);
    }
  });
});
