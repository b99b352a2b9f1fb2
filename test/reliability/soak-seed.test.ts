import { describe, expect, it } from "vitest";
import { soakSeed } from "./soak-seed.js";

// Issue 13: `npm run test:soak` prints its seed and can replay one.
describe("soak seed", () => {
  it("comes from --seed, then GOAL_STORE_SOAK_SEED, else is fresh", () => {
    expect(soakSeed(["--seed", "42"], { GOAL_STORE_SOAK_SEED: "7" })).toBe(42);
    expect(soakSeed(["--seed=43"], {})).toBe(43);
    expect(soakSeed([], { GOAL_STORE_SOAK_SEED: "7" })).toBe(7);
    expect(soakSeed([], {}, () => 99)).toBe(99);
    expect(() => soakSeed(["--seed", "x"], {})).toThrow();
  });
});
