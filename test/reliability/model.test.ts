import { describe, expect, it } from "vitest";
import { runModelSequences } from "./model-run.js";

describe("model-based: random call sequences over a faulty palace", () => {
  it("store, a fresh load() and goals.json always equal the reference model", async () => {
    const stats = await runModelSequences(300);
    expect(stats).toMatchObject({ sequences: 300, divergences: 0 });
    expect(stats.faults).toBeGreaterThan(0);
  }, 120_000);
});
