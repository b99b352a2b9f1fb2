import { describe, expect, it } from "vitest";
import { GoalStore, type Goal, type GoalKey, type GoalMemory } from "../../src/index.js";
import { InMemoryGoalMemory } from "../../src/testing/index.js";
import { freshStore, settleAfterTest, tempRoot } from "../helpers.js";

/**
 * A palace whose writes wait until the test releases them, one by one. It has
 * no batch write, so the store sends one mutation at a time.
 */
class GatedPalace implements GoalMemory {
  readonly inner = new InMemoryGoalMemory();
  readonly waiting: { json: string; release: () => void; fail: (error: Error) => void }[] = [];

  rememberGoal(json: string, tag: string, key?: GoalKey): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({
        json,
        release: () => {
          this.inner.rememberGoal(json, tag, key).then(resolve, reject);
        },
        fail: reject,
      });
    });
  }

  listGoals(tag: string): Promise<string[]> {
    return this.inner.listGoals(tag);
  }

  readGoal(tag: string, goalId: string): Promise<string | undefined> {
    return this.inner.readGoal(tag, goalId);
  }

  async nextWrite(): Promise<{ json: string; release: () => void; fail: (error: Error) => void }> {
    while (this.waiting.length === 0) await new Promise((resolve) => setImmediate(resolve));
    return this.waiting.shift() as (typeof this.waiting)[number];
  }
}

describe("serialisation of un-awaited mutations", () => {
  it("50 concurrent notes on one goal land exactly once each, in call order, one revision each", async () => {
    const { store, palace } = await freshStore({}, { latency: "yield" });
    const goal = await store.create("d");
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.note(goal.id, `note ${i}`)));
    const final = store.get(goal.id) as Goal;
    expect(final.notes).toEqual(Array.from({ length: 50 }, (_, i) => `note ${i}`));
    expect(final.revision).toBe(51);
    expect(results.map((r) => r.revision)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    expect(palace.writes).toBe(51);
  });

  it("mixed concurrent mutations apply in call order", async () => {
    const { store } = await freshStore({}, { latency: "yield" });
    const goal = await store.create("d");
    const calls = [
      store.link(goal.id, { sessionId: "a", task: "t" }),
      store.update(goal.id, { sessionId: "a", state: "verified" }),
      store.close(goal.id),
      store.note(goal.id, "closed"),
    ];
    const [, , closed, noted] = await Promise.all(calls);
    expect(closed?.status).toBe("done");
    expect(noted).toMatchObject({ status: "done", notes: ["closed"], revision: 5 });
  });

  it("a palace failure inside a concurrent burst rolls back only its own mutation", async () => {
    const palace = new GatedPalace();
    const store = settleAfterTest(new GoalStore(palace, await tempRoot()));
    const creating = store.create("d");
    (await palace.nextWrite()).release();
    const goal = await creating;

    const outcomes = Promise.allSettled([0, 1, 2, 3, 4].map((i) => store.note(goal.id, `n${i}`)));
    for (let i = 0; i < 5; i++) {
      const write = await palace.nextWrite();
      if (i === 2) write.fail(new Error("flaky"));
      else write.release();
    }
    const settled = await outcomes;
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect(store.get(goal.id)?.notes).toEqual(["n0", "n1", "n3", "n4"]);
    expect(store.get(goal.id)?.revision).toBe(5);
  });

  it("no dirty read while a palace write is pending", async () => {
    const palace = new GatedPalace();
    const store = settleAfterTest(new GoalStore(palace, await tempRoot()));
    const creating = store.create("d");
    const createWrite = await palace.nextWrite();
    expect(store.all()).toEqual([]);
    createWrite.release();
    const goal = await creating;

    const noting = store.note(goal.id, "pending note");
    const write = await palace.nextWrite();
    expect(write.json).toContain("pending note");
    expect(store.get(goal.id)).toEqual(goal);
    expect(store.all()).toEqual([goal]);
    write.release();
    await noting;
    expect(store.get(goal.id)?.notes).toEqual(["pending note"]);
  });

  it("a refused call in a burst does not disturb the calls around it", async () => {
    const { store } = await freshStore({}, { latency: "yield" });
    const goal = await store.create("d");
    const settled = await Promise.allSettled([
      store.note(goal.id, "one"),
      store.close(goal.id),
      store.note(goal.id, "   "),
      store.link("g-missing", { sessionId: "s", task: "t" }),
      store.note(goal.id, "two"),
    ]);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "rejected", "rejected", "fulfilled"]);
    expect(store.get(goal.id)?.notes).toEqual(["one", "two"]);
  });

  it("ids of concurrent creates are unique and every create lands", async () => {
    const { store, palace } = await freshStore({}, { latency: "yield" });
    const goals = await Promise.all(Array.from({ length: 100 }, (_, i) => store.create(`g${i}`)));
    expect(new Set(goals.map((g) => g.id)).size).toBe(100);
    expect(store.all()).toHaveLength(100);
    expect(palace.writes).toBe(100);
  });
});
