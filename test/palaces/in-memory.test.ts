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
  it("upsert mode keeps one entry per goal id; a write not built on the held revision is refused, never silently dropped", async () => {
    const palace = new InMemoryGoalMemory();
    await palace.rememberGoal('{"id":"g-a","v":1}', "t", { goalId: "g-a", revision: 1, base: null });
    await palace.rememberGoal('{"id":"g-a","v":2}', "t", { goalId: "g-a", revision: 2, base: 1 });
    await expect(palace.rememberGoal('{"id":"g-a","v":"late"}', "t", { goalId: "g-a", revision: 2, base: 1 })).rejects.toMatchObject({
      code: "STALE",
      goalId: "g-a",
      expected: 1,
      actual: 2,
    });
    await palace.rememberGoal('{"id":"g-b"}', "t");
    expect(await palace.listGoals("t")).toEqual(['{"id":"g-a","v":2}', '{"id":"g-b"}']);
    expect({ writes: palace.writes, staleWrites: palace.staleWrites }).toEqual({ writes: 3, staleWrites: 1 });
  });

  it("a keyless entry is keyed by the id and revision inside its JSON and kept only when newer, as the SQLite palace does", async () => {
    const palace = new InMemoryGoalMemory();
    await palace.rememberGoal('{"id":"g-a","revision":2}', GOAL_TAG);
    await expect(palace.rememberGoal('{"id":"g-a","revision":1}', GOAL_TAG)).rejects.toMatchObject({ code: "STALE" });
    expect(await palace.listGoals(GOAL_TAG)).toEqual(['{"id":"g-a","revision":2}']);
    await palace.rememberGoal('{"id":"g-a","revision":3}', GOAL_TAG);
    expect(await palace.listGoals(GOAL_TAG)).toEqual(['{"id":"g-a","revision":3}']);
    // Entries without an id are kept as they are.
    await palace.rememberGoal("not json", GOAL_TAG);
    expect(await palace.listGoals(GOAL_TAG)).toEqual(['{"id":"g-a","revision":3}', "not json"]);
  });

  it("append mode keeps every entry in write order, compare-and-set on the newest", async () => {
    const palace = new InMemoryGoalMemory({ mode: "append" });
    await palace.rememberGoal("a", "t", { goalId: "g-a", revision: 1, base: null });
    await palace.rememberGoal("b", "t", { goalId: "g-a", revision: 2, base: 1 });
    await expect(palace.rememberGoal("c", "t", { goalId: "g-a", revision: 2, base: 1 })).rejects.toMatchObject({ code: "STALE" });
    expect(await palace.listGoals("t")).toEqual(["a", "b"]);
    expect(await palace.readGoal("t", "g-a")).toBe("b");
    expect(await palace.listGoals("unknown")).toEqual([]);
  });

  it("keepThenReject keeps the entry and still rejects; hang never settles", async () => {
    const palace = new InMemoryGoalMemory();
    palace.failNextWrites(1, "keepThenReject");
    await expect(palace.rememberGoal("kept", "t", { goalId: "g-a", revision: 1, base: null })).rejects.toThrow("injected");
    expect(palace.entries("t")).toEqual(["kept"]);
    palace.failNextWrites(1, "hang");
    palace.failNextLists(1, "hang");
    let settled = false;
    void palace.rememberGoal("never", "t", { goalId: "g-b", revision: 1, base: null }).finally(() => (settled = true));
    void palace.listGoals("t").finally(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    expect(palace.entries("t")).toEqual(["kept"]);
  });

  it("the feed reports every kept entry to every watcher of its tag, after the write settles, until closed", async () => {
    const palace = new InMemoryGoalMemory();
    const seen: string[] = [];
    const watch = palace.watchGoals("t", (event) => seen.push(event.kind === "entry" ? `${event.goalId}@${event.revision}` : "gap"));
    await palace.rememberGoal("a1", "t", { goalId: "g-a", revision: 1, base: null });
    await palace.rememberGoal("x", "other", { goalId: "g-x", revision: 1, base: null });
    await expect(palace.rememberGoal("stale", "t", { goalId: "g-a", revision: 1, base: null })).rejects.toThrow();
    await palace.rememberGoal("a2", "t", { goalId: "g-a", revision: 2, base: 1 });
    await watch.close();
    await palace.rememberGoal("a3", "t", { goalId: "g-a", revision: 3, base: 2 });
    await Promise.resolve();
    expect(seen).toEqual(["g-a@1", "g-a@2"]);
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
