import { describe, expect, it } from "vitest";
import { runHostileInputs } from "./hostile-run.js";

describe("hostile input", () => {
  it("arbitrary values into every entry point: contract result or GoalStoreError, store and prototypes intact", async () => {
    const stats = await runHostileInputs(1_000);
    expect(stats.inputs).toBeGreaterThanOrEqual(1_000);
    expect(stats.rejected).toBeGreaterThan(0);
  }, 120_000);
});
