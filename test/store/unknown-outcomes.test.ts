import { describe, expect, it } from "vitest";
import { GOAL_TAG, GoalStore, PalaceError, type GoalMemory } from "../../src/index.js";
import { InMemoryGoalMemory } from "../../src/testing/index.js";
import { decodeEntry } from "../../src/wire/index.js";
import { join } from "node:path";
import { SqliteGoalMemory } from "../../src/palace/sqlite/index.js";
import { freshStore, settleAfterTest, tempRoot, waitFor } from "../helpers.js";

describe("a palace write that fails: the store reads the goal back before answering", () => {
  it("kept despite the error (the acknowledgement was lost): the mutation resolves, once", async () => {
    const { store, palace } = await freshStore();
    const goal = await store.create("d");
    palace.failNextWrites(1, "keepThenReject");
    const noted = await store.note(goal.id, "exactly once");
    expect(noted.notes).toEqual(["exactly once"]);
    expect(store.get(goal.id)).toEqual(noted);
    const kept = palace.entries(GOAL_TAG).map(decodeEntry);
    expect(kept[0]?.notes).toEqual(["exactly once"]);
  });

  it("a create kept despite the error resolves too", async () => {
    const { store, palace } = await freshStore();
    palace.failNextWrites(1, "keepThenReject");
    const goal = await store.create("made");
    expect(store.all()).toEqual([goal]);
    expect(palace.entries(GOAL_TAG)).toHaveLength(1);
  });

  it("not kept, and the base revision read back: PALACE with outcome notCommitted, store unchanged", async () => {
    const { store, palace } = await freshStore();
    const goal = await store.create("d");
    palace.failNextWrites(1, "reject");
    const error = await store.note(goal.id, "lost").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PalaceError);
    expect(error).toMatchObject({ code: "PALACE", outcome: "notCommitted", goalId: goal.id });
    expect((error as PalaceError).cause).toBeInstanceOf(Error);
    expect(store.get(goal.id)).toEqual(goal);
  });

  it("the read-back fails too: PALACE with outcome unknown, and the next mutation finds out what was kept", async () => {
    const palace = new InMemoryGoalMemory();
    let readsFail = false;
    const flaky: GoalMemory = {
      rememberGoal: (json, tag, key) => palace.rememberGoal(json, tag, key),
      listGoals: (tag) => palace.listGoals(tag),
      readGoal: async (tag, id) => {
        if (readsFail) throw new Error("connection reset");
        return palace.readGoal(tag, id);
      },
    };
    const store = settleAfterTest(await GoalStore.load(flaky, await tempRoot()));
    const goal = await store.create("d");
    palace.failNextWrites(1, "keepThenReject");
    readsFail = true;
    await expect(store.note(goal.id, "maybe")).rejects.toMatchObject({ code: "PALACE", outcome: "unknown" });
    expect(store.get(goal.id)?.revision).toBe(1);
    readsFail = false;
    // Built on revision 1, refused as stale, re-applied on the kept revision 2: nothing twice, nothing lost.
    expect((await store.note(goal.id, "next")).notes).toEqual(["maybe", "next"]);
  });

  it("a write that never settles times out as outcome unknown, and later mutations go on", async () => {
    const { store, palace } = await freshStore({ palaceTimeoutMs: 50 });
    const goal = await store.create("d");
    palace.failNextWrites(1, "hang");
    const hung = store.note(goal.id, "hung");
    // Called once the first is at the palace, so the two do not travel in one batch.
    await new Promise((resolve) => setImmediate(resolve));
    const next = store.note(goal.id, "after");
    await expect(hung).rejects.toMatchObject({ code: "PALACE", outcome: "unknown" });
    expect((await next).notes).toEqual(["after"]);
  });

  it("regression: a write that timed out and lands during the read-back reaches the store through the feed", async () => {
    // Found in review: its feed event was dropped as "our own write in flight".
    const inner = new InMemoryGoalMemory();
    let slowWrite = false;
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const palace: GoalMemory = {
      async rememberGoal(json, tag, key) {
        if (slowWrite) {
          slowWrite = false;
          await pause(80); // lands after the store's 50 ms timeout...
        }
        return inner.rememberGoal(json, tag, key);
      },
      listGoals: (tag) => inner.listGoals(tag),
      async readGoal(tag, id) {
        const snapshot = await inner.readGoal(tag, id); // ...while the read-back's snapshot is older
        await pause(60);
        return snapshot;
      },
      watchGoals: (tag, onEvent) => inner.watchGoals(tag, onEvent),
    };
    const store = settleAfterTest(await GoalStore.load(palace, await tempRoot(), { palaceTimeoutMs: 50 }));
    const goal = await store.create("x");
    slowWrite = true;
    await expect(store.note(goal.id, "late")).rejects.toMatchObject({ code: "PALACE", outcome: "unknown" });
    await waitFor(() => store.get(goal.id)?.revision === 2);
    expect(store.get(goal.id)?.notes).toEqual(["late"]);
  });

  it("regression: load() falls back to goals.json when the palace is down and its feed cannot start", async () => {
    const root = await tempRoot();
    const palace = new SqliteGoalMemory(join(root, "palace.sqlite"));
    const store = await GoalStore.load(palace, root);
    await store.create("mirrored");
    await store.dispose();
    palace.close();
    const reloaded = settleAfterTest(await GoalStore.load(palace, root));
    expect(reloaded.loadReport).toMatchObject({ source: "cache", goals: 1 });
  });

  it("load() falls back to goals.json when listGoals never settles", async () => {
    const { store, palace, root } = await freshStore();
    await store.create("mirrored");
    await store.flush();
    palace.failNextLists(1, "hang");
    const reloaded = settleAfterTest(await GoalStore.load(palace, root, { palaceTimeoutMs: 50 }));
    expect(reloaded.loadReport).toMatchObject({ source: "cache", goals: 1 });
    expect(reloaded.loadReport?.palaceError?.message).toMatch(/did not settle within 50 ms/);
  });
});
