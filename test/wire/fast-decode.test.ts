import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Goal } from "../../src/index.js";
import { GoalFromWireSchema, encodeGoal } from "../../src/wire/codec.js";
import { goalFromStoreWritten } from "../../src/wire/fast-decode.js";

// The fast path must never disagree with zod: wherever it answers, zod answers
// the same goal; where zod refuses, it must not answer at all.
function zodSays(value: unknown): { ok: true; goal: Goal } | { ok: false } {
  const parsed = GoalFromWireSchema.safeParse(value);
  return parsed.success ? { ok: true, goal: parsed.data } : { ok: false };
}

function agrees(value: unknown): void {
  const fast = goalFromStoreWritten(value);
  if (fast === undefined) return;
  const zod = zodSays(value);
  expect(zod.ok).toBe(true);
  if (zod.ok) expect(fast).toStrictEqual(zod.goal);
}

const instant = fc.date({ min: new Date(-62_167_219_200_000), max: new Date(253_402_300_799_999), noInvalidDate: true });
const text = fc.string({ unit: "binary", maxLength: 12 });
const goal: fc.Arbitrary<Goal> = fc.record({
  id: fc.string({ minLength: 1, maxLength: 20 }),
  description: text,
  status: fc.constantFrom("pending", "inProgress", "blocked", "done", "abandoned"),
  acceptance: fc.array(text, { maxLength: 3 }),
  sessions: fc.array(
    fc.record({
      sessionId: text,
      task: text,
      state: fc.constantFrom("launched", "running", "verified", "failed"),
      evidence: fc.option(text, { nil: null }),
    }),
    { maxLength: 3 },
  ),
  progress: fc.integer({ min: 0, max: 100 }),
  created: instant,
  updated: instant,
  notes: fc.array(text, { maxLength: 3 }),
  revision: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(Number.MAX_SAFE_INTEGER + 1), fc.constant(-1)),
});

// A stored goal, then one key replaced by an arbitrary value (or removed, or
// an extra key added): the inputs where a hand-written check can go wrong.
const mutated = fc
  .tuple(goal, fc.nat(12), fc.jsonValue(), fc.constantFrom("set", "delete", "add", "link"))
  .map(([source, which, replacement, how]) => {
    const wire = JSON.parse(encodeGoal(source)) as Record<string, unknown>;
    const keys = Object.keys(wire);
    const key = keys[which % keys.length] as string;
    if (how === "delete") delete wire[key];
    else if (how === "add") wire.extra = replacement;
    else if (how === "link" && Array.isArray(wire.sessions) && wire.sessions.length > 0) {
      const link = wire.sessions[0] as Record<string, unknown>;
      const linkKey = Object.keys(link)[which % 4] as string;
      link[linkKey] = replacement;
    } else wire[key] = replacement;
    return wire;
  });

describe("fast decode of store-written goals", () => {
  it("answers, and agrees with zod, for every goal this library writes", () => {
    fc.assert(
      fc.property(goal, (source) => {
        const wire = JSON.parse(encodeGoal(source)) as unknown;
        const strings = [source.id, source.description, ...source.acceptance, ...source.notes];
        for (const link of source.sessions) strings.push(link.sessionId, link.task, link.evidence ?? "");
        const writable = strings.every((s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()) && Number.isSafeInteger(source.revision) && source.revision >= 0;
        const zod = zodSays(wire);
        if (writable && zod.ok) expect(goalFromStoreWritten(wire)).toStrictEqual(zod.goal);
        agrees(wire);
      }),
      { numRuns: 500 },
    );
  });

  it("agrees with zod on stored goals with one key changed, removed or added", () => {
    fc.assert(fc.property(mutated, agrees), { numRuns: 2000 });
  });

  it("agrees with zod on arbitrary values", () => {
    fc.assert(fc.property(fc.anything({ withObjectString: true, withNullPrototype: true, withSparseArray: true }), agrees), { numRuns: 1000 });
  });

  it("leaves timestamps zod reads differently, or not at all, to zod", () => {
    const wire = JSON.parse(encodeGoal({ ...fixture(), created: new Date("2026-06-16T12:00:00.000Z") })) as Record<string, unknown>;
    for (const created of ["2026-06-16T12:00:00Z", "2026-02-30T12:00:00.000Z", "2026-06-16T23:59:60.000Z", "2026-06-16T12:00:00.000+01:00"]) {
      expect(goalFromStoreWritten({ ...wire, created })).toBeUndefined();
    }
  });

  it("does not alias the input's arrays", () => {
    const wire = JSON.parse(encodeGoal(fixture())) as { acceptance: string[] };
    const decoded = goalFromStoreWritten(wire);
    wire.acceptance.push("later");
    expect(decoded?.acceptance).toEqual(["a"]);
  });

  it("returns undefined, never throws, for an object whose getter throws", () => {
    const wire = JSON.parse(encodeGoal(fixture())) as Record<string, unknown>;
    Object.defineProperty(wire, "status", { enumerable: true, get: () => { throw new Error("hostile"); } });
    expect(goalFromStoreWritten(wire)).toBeUndefined();
  });
});

function fixture(): Goal {
  return {
    id: "g-1",
    description: "d",
    status: "pending",
    acceptance: ["a"],
    sessions: [{ sessionId: "s", task: "t", state: "verified", evidence: null }],
    progress: 100,
    created: new Date("2026-06-16T12:00:00.000Z"),
    updated: new Date("2026-06-16T12:00:00.000Z"),
    notes: [],
    revision: 1,
  };
}
