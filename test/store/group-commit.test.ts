import { describe, expect, it } from "vitest";
import { GOAL_TAG, GoalStore, type GoalChange, type GoalEntry, type GoalMemory } from "../../src/index.js";
import { InMemoryGoalMemory } from "../../src/testing/index.js";
import { decodeEntry } from "../../src/wire/index.js";
import { settleAfterTest, tempRoot, waitFor } from "../helpers.js";

/** An in-memory palace whose batches wait until the test releases them. */
class GatedBatchPalace extends InMemoryGoalMemory {
  readonly held: { size: number; release: () => void }[] = [];

  override rememberGoals(tag: string, entries: readonly GoalEntry[]): Promise<("kept" | "stale")[]> {
    return new Promise((resolve, reject) => {
      this.held.push({ size: entries.length, release: () => void super.rememberGoals(tag, entries).then(resolve, reject) });
    });
  }
}

async function storeOver(palace: InMemoryGoalMemory): Promise<GoalStore> {
  return settleAfterTest(await GoalStore.load(palace, await tempRoot()));
}

describe("group commit", () => {
  it("mutations waiting together reach the palace as one batch, each resolving on its own entry", async () => {
    const palace = new InMemoryGoalMemory({ latency: "yield" });
    const store = await storeOver(palace);
    const goals = await Promise.all(Array.from({ length: 32 }, (_, i) => store.create(`goal ${i}`)));
    const batchesBefore = palace.batches;
    const noted = await Promise.all(goals.map((goal, i) => store.note(goal.id, `note ${i}`)));
    expect(noted.map((goal) => goal.notes)).toEqual(goals.map((_, i) => [`note ${i}`]));
    expect(palace.batches - batchesBefore).toBeLessThanOrEqual(2);
    expect(palace.writes).toBe(64);
  });

  it("mutations of one goal in one batch are chained in call order, one revision each", async () => {
    const palace = new InMemoryGoalMemory({ latency: "yield" });
    const store = await storeOver(palace);
    const goal = await store.create("chained");
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.note(goal.id, `n${i}`)));
    expect(results.map((result) => result.revision)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(decodeEntry(palace.entries(GOAL_TAG)[0] as string).notes).toEqual(Array.from({ length: 10 }, (_, i) => `n${i}`));
  });

  it("get/all never show an entry before its batch committed, and listeners hear commits in call order", async () => {
    const palace = new GatedBatchPalace();
    const store = await storeOver(palace);
    const [a, b] = [await store.create("a"), await store.create("b")];
    const heard: string[] = [];
    store.subscribe((change: GoalChange) => heard.push(change.goal.notes.at(-1) ?? ""));
    const pending = [store.note(b.id, "b1"), store.note(a.id, "a1"), store.note(b.id, "b2")];
    await waitFor(() => palace.held.length === 1);
    expect(palace.held[0]?.size).toBe(3);
    expect(store.get(a.id)?.notes).toEqual([]);
    expect(store.get(b.id)?.notes).toEqual([]);
    palace.held[0]?.release();
    await Promise.all(pending);
    expect(heard).toEqual(["b1", "a1", "b2"]);
    expect(store.get(b.id)?.notes).toEqual(["b1", "b2"]);
  });

  it("a refused entry sends back only its goal's mutations: the rest of the batch commits", async () => {
    const palace = new InMemoryGoalMemory({ latency: "yield" });
    // No feed: this store learns of the other's commit only by a stale refusal.
    const unfed: GoalMemory = {
      rememberGoal: (json, tag, key) => palace.rememberGoal(json, tag, key),
      rememberGoals: (tag, entries) => palace.rememberGoals(tag, entries),
      listGoals: (tag) => palace.listGoals(tag),
      readGoal: (tag, id) => palace.readGoal(tag, id),
    };
    const mine = settleAfterTest(await GoalStore.load(unfed, await tempRoot()));
    const [contended, calm] = [await mine.create("contended"), await mine.create("calm")];
    const other = settleAfterTest(await GoalStore.load(palace, await tempRoot()));
    await other.note(contended.id, "theirs");
    const [stale, batches] = [palace.staleWrites, palace.batches];
    const results = await Promise.all([mine.note(contended.id, "mine"), mine.note(calm.id, "calm note")]);
    expect(results[0].notes).toEqual(["theirs", "mine"]);
    expect(results[1].notes).toEqual(["calm note"]);
    expect(palace.staleWrites - stale).toBe(1);
    expect(palace.batches - batches).toBe(1); // the retry goes alone
  });

  it("a failed batch rolls back only what was not kept: the store reads each goal back", async () => {
    const palace = new InMemoryGoalMemory({ latency: "yield" });
    const store = await storeOver(palace);
    const [a, b] = [await store.create("a"), await store.create("b")];
    palace.failNextWrites(1, "keepThenReject");
    const results = await Promise.all([store.note(a.id, "kept anyway"), store.note(b.id, "kept too")]);
    expect(results.map((goal) => goal.revision)).toEqual([2, 2]);
    palace.failNextWrites(1, "reject");
    const failed = await Promise.allSettled([store.note(a.id, "lost"), store.note(b.id, "lost")]);
    expect(failed.map((result) => (result.status === "rejected" ? (result.reason as { outcome?: string }).outcome : "ok"))).toEqual([
      "notCommitted",
      "notCommitted",
    ]);
    expect(store.get(a.id)?.notes).toEqual(["kept anyway"]);
  });
});
