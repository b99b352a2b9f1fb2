import { describe, expect, it } from "vitest";
import { GOAL_TAG } from "../../src/index.js";
import { InMemoryGoalMemory, palaceConformance } from "../../src/testing/index.js";

for (const mode of ["upsert", "append"] as const) {
  describe(`InMemoryGoalMemory (${mode}) passes the palace conformance suite`, () => {
    palaceConformance(it, () => new InMemoryGoalMemory({ mode }), {
      breakPalace: (palace) => {
        palace.failNextWrites(1000);
        palace.failNextLists(1000);
      },
    });
  });
}

describe("InMemoryGoalMemory", () => {
  it("upsert mode keeps one entry per goal id, never letting an older revision win", async () => {
    const palace = new InMemoryGoalMemory();
    await palace.rememberGoal('{"id":"g-a","v":1}', "t", { goalId: "g-a", revision: 1 });
    await palace.rememberGoal('{"id":"g-a","v":3}', "t", { goalId: "g-a", revision: 3 });
    await palace.rememberGoal('{"id":"g-a","v":2}', "t", { goalId: "g-a", revision: 2 });
    await palace.rememberGoal('{"id":"g-b"}', "t");
    expect(await palace.listGoals("t")).toEqual(['{"id":"g-a","v":3}', '{"id":"g-b"}']);
  });

  it("upserts an entry written without a key by the id and revision inside its JSON, as the SQLite palace does", async () => {
    const palace = new InMemoryGoalMemory();
    await palace.rememberGoal('{"id":"g-a","revision":2}', GOAL_TAG);
    await palace.rememberGoal('{"id":"g-a","revision":1}', GOAL_TAG);
    expect(await palace.listGoals(GOAL_TAG)).toEqual(['{"id":"g-a","revision":2}']);
    await palace.rememberGoal('{"id":"g-a","revision":3}', GOAL_TAG);
    expect(await palace.listGoals(GOAL_TAG)).toEqual(['{"id":"g-a","revision":3}']);
    // Entries without an id are kept as they are.
    await palace.rememberGoal("not json", GOAL_TAG);
    expect(await palace.listGoals(GOAL_TAG)).toEqual(['{"id":"g-a","revision":3}', "not json"]);
  });

  it("append mode keeps every entry in write order", async () => {
    const palace = new InMemoryGoalMemory({ mode: "append" });
    await palace.rememberGoal("a", "t", { goalId: "g-a", revision: 1 });
    await palace.rememberGoal("b", "t", { goalId: "g-a", revision: 2 });
    expect(await palace.listGoals("t")).toEqual(["a", "b"]);
    expect(await palace.listGoals("unknown")).toEqual([]);
  });

  it("injected write faults reject or throw, keep nothing, and are counted", async () => {
    const palace = new InMemoryGoalMemory();
    palace.failNextWrites(1, "reject");
    palace.failNextWrites(1, "throw");
    await expect(palace.rememberGoal("x", "t")).rejects.toThrow("injected");
    expect(() => palace.rememberGoal("x", "t")).toThrow("injected");
    await palace.rememberGoal("kept", "t");
    expect(palace.entries("t")).toEqual(["kept"]);
    expect({ writes: palace.writes, failedWrites: palace.failedWrites }).toEqual({ writes: 1, failedWrites: 2 });
  });

  it("injected list faults fail the next lists only", async () => {
    const palace = new InMemoryGoalMemory();
    palace.failNextLists(2);
    await expect(palace.listGoals("t")).rejects.toThrow();
    await expect(palace.listGoals("t")).rejects.toThrow();
    await expect(palace.listGoals("t")).resolves.toEqual([]);
    expect(palace.lists).toBe(3);
  });

  it("latency delays settling", async () => {
    const palace = new InMemoryGoalMemory({ latency: 20 });
    const started = Date.now();
    await palace.rememberGoal("x", "t");
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    palace.latency = "yield";
    let settled = false;
    const pending = palace.rememberGoal("y", "t").then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await pending;
    expect(palace.entries("t")).toEqual(["x", "y"]);
  });
});
