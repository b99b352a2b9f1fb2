import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderGoalsJsonEntry } from "../../src/wire/render.js";
import { goalToWire } from "../../src/wire/codec.js";
import type { Goal } from "../../src/index.js";

const goal: fc.Arbitrary<Goal> = fc.record({
  id: fc.string(),
  description: fc.string({ unit: "binary" }),
  status: fc.constantFrom("pending", "inProgress", "blocked", "done", "abandoned"),
  acceptance: fc.array(fc.string({ unit: "binary" }), { maxLength: 3 }),
  sessions: fc.array(
    fc.record({
      sessionId: fc.string({ unit: "binary" }),
      task: fc.string(),
      state: fc.constantFrom("launched", "running", "verified", "failed"),
      evidence: fc.option(fc.string({ unit: "binary" }), { nil: null }),
    }),
    { maxLength: 3 },
  ),
  progress: fc.integer({ min: 0, max: 100 }),
  created: fc.date({ noInvalidDate: true }),
  updated: fc.date({ noInvalidDate: true }),
  notes: fc.array(fc.string({ unit: "binary" }), { maxLength: 3 }),
  revision: fc.integer({ min: 1 }),
});

describe("renderGoalsJsonEntry", () => {
  it("prints exactly what JSON.stringify(goals, null, 2) prints for an array element", () => {
    fc.assert(
      fc.property(goal, (g) => {
        const generic = JSON.stringify([goalToWire(g)], null, 2);
        expect(`[\n${renderGoalsJsonEntry(g)}\n]`).toBe(generic);
      }),
      { numRuns: 500 },
    );
  });
});
