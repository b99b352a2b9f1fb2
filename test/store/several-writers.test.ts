import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GOAL_TAG, GoalStore, StaleError, type GoalChange, type GoalMemory } from "../../src/index.js";
import { SqliteGoalMemory } from "../../src/palace/sqlite/index.js";
import { InMemoryGoalMemory } from "../../src/testing/index.js";
import { decodeEntry } from "../../src/wire/index.js";
import { settleAfterTest, steppingClock, tempRoot, waitFor } from "../helpers.js";

// Only the two required methods (and a one-goal read): no feed, so a store
// learns of another writer's commit only through a stale refusal.
function withoutFeed(palace: InMemoryGoalMemory): GoalMemory {
  return {
    rememberGoal: (json, tag, key) => palace.rememberGoal(json, tag, key),
    listGoals: (tag) => palace.listGoals(tag),
    readGoal: (tag, id) => palace.readGoal(tag, id),
  };
}

async function notesInPalace(palace: GoalMemory, goalId: string): Promise<string[]> {
  const entries = (await palace.listGoals(GOAL_TAG)).map(decodeEntry).filter((goal) => goal.id === goalId);
  return entries.sort((a, b) => b.revision - a.revision)[0]?.notes ?? [];
}

describe("regression: one writer starting from a goals.json that lags behind the palace", () => {
  // goal-store 0.1: note(B1) resolved at revision 2 while the palace kept 3 and
  // ignored it; note(B2) then replaced A1 and A2, acknowledged long before.
  async function restartBehind(palace: GoalMemory & { failNextLists?: (n: number) => void }, failList: () => void) {
    const root = await tempRoot();
    const first = settleAfterTest(await GoalStore.load(palace, root, { clock: steppingClock() }));
    const goal = await first.create("shared");
    await first.flush();
    const lagging = await import("node:fs/promises").then((fs) => fs.readFile(first.cacheFile, "utf8"));
    await first.note(goal.id, "A1");
    await first.note(goal.id, "A2");
    await first.dispose();
    // The process died before the mirror caught up: goals.json still at revision 1.
    await writeFile(first.cacheFile, lagging);
    failList();
    const restarted = settleAfterTest(await GoalStore.load(palace, root, { clock: steppingClock(Date.UTC(2026, 5, 17)) }));
    expect(restarted.loadReport?.source).toBe("cache");
    expect(restarted.get(goal.id)?.revision).toBe(1);
    return { store: restarted, goalId: goal.id };
  }

  for (const mode of ["upsert", "append"] as const) {
    it(`keeps every acknowledged note (in-memory palace, ${mode})`, async () => {
      const palace = new InMemoryGoalMemory({ mode });
      const { store, goalId } = await restartBehind(palace, () => palace.failNextLists(1));
      const b1 = await store.note(goalId, "B1");
      expect(b1.notes).toEqual(["A1", "A2", "B1"]);
      expect(b1.revision).toBe(4);
      await store.note(goalId, "B2");
      expect(await notesInPalace(palace, goalId)).toEqual(["A1", "A2", "B1", "B2"]);
    });
  }

  it("keeps every acknowledged note (SQLite palace)", async () => {
    const file = join(await tempRoot(), "palace.sqlite");
    const palace = new SqliteGoalMemory(file);
    let failing = false;
    const flaky: GoalMemory = {
      rememberGoal: (json, tag, key) => palace.rememberGoal(json, tag, key),
      listGoals: async (tag) => {
        if (failing) {
          failing = false;
          throw new Error("database is locked");
        }
        return palace.listGoals(tag);
      },
      readGoal: (tag, id) => palace.readGoal(tag, id),
    };
    try {
      const { store, goalId } = await restartBehind(flaky, () => (failing = true));
      await store.note(goalId, "B1");
      await store.note(goalId, "B2");
      expect(await notesInPalace(palace, goalId)).toEqual(["A1", "A2", "B1", "B2"]);
      expect(store.get(goalId)?.notes).toEqual(["A1", "A2", "B1", "B2"]);
      await store.dispose();
    } finally {
      palace.close();
    }
  });
});

describe("several stores on one palace", () => {
  it("regression: two stores writing the same goals lose nothing (no feed, stale refusals only)", async () => {
    const palace = new InMemoryGoalMemory({ latency: "yield" });
    const [a, b] = [
      settleAfterTest(await GoalStore.load(withoutFeed(palace), await tempRoot())),
      settleAfterTest(await GoalStore.load(withoutFeed(palace), await tempRoot())),
    ];
    const goals = [await a.create("one"), await a.create("two")];
    const calls = goals.flatMap((goal) => [
      ...Array.from({ length: 15 }, (_, i) => a.note(goal.id, `a${i}`)),
      ...Array.from({ length: 15 }, (_, i) => b.note(goal.id, `b${i}`)),
      b.link(goal.id, { sessionId: "s1", task: "t" }),
      a.link(goal.id, { sessionId: "s1", task: "t" }),
    ]);
    const results = await Promise.allSettled(calls);
    for (const goal of goals) {
      const notes = await notesInPalace(palace, goal.id);
      expect(notes).toHaveLength(30);
      expect(new Set(notes).size).toBe(30);
    }
    // The second link of the same session is refused by the rule, re-checked on the fresh goal.
    const refused = results.filter((result) => result.status === "rejected").map((result) => (result.reason as { code: string }).code);
    expect(refused).toEqual(["CONFLICT", "CONFLICT"]);
    expect(palace.staleWrites).toBeGreaterThan(0);
  });

  it("regression: two SQLite connections (as two processes) lose nothing", async () => {
    const file = join(await tempRoot(), "palace.sqlite");
    const [p1, p2] = [new SqliteGoalMemory(file), new SqliteGoalMemory(file)];
    try {
      const a = settleAfterTest(await GoalStore.load(p1, await tempRoot()));
      const b = settleAfterTest(await GoalStore.load(p2, await tempRoot()));
      const goal = await a.create("shared");
      await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => a.note(goal.id, `a${i}`)),
        ...Array.from({ length: 20 }, (_, i) => b.note(goal.id, `b${i}`)),
      ]);
      const notes = await notesInPalace(p1, goal.id);
      expect(notes).toHaveLength(40);
      expect(new Set(notes).size).toBe(40);
      await Promise.all([a.dispose(), b.dispose()]);
    } finally {
      p1.close();
      p2.close();
    }
  });

  it("a store follows another's commits through the feed: get/all reflect them and listeners hear origin remote", async () => {
    const palace = new InMemoryGoalMemory();
    const [a, b] = [
      settleAfterTest(await GoalStore.load(palace, await tempRoot())),
      settleAfterTest(await GoalStore.load(palace, await tempRoot())),
    ];
    const heard: GoalChange[] = [];
    b.subscribe((change) => heard.push(change));
    const goal = await a.create("made by a");
    await a.note(goal.id, "from a");
    await waitFor(() => b.get(goal.id)?.revision === 2);
    expect(b.get(goal.id)).toEqual(a.get(goal.id));
    expect(heard.map((change) => [change.origin, change.goal.revision, change.previous?.revision])).toEqual([
      ["remote", 1, undefined],
      ["remote", 2, 1],
    ]);
    // b's own mutation is local to b and remote to a.
    await b.note(goal.id, "from b");
    expect(heard.at(-1)?.origin).toBe("local");
    await waitFor(() => a.get(goal.id)?.notes.length === 2);
  });

  it("a SQLite store follows another connection's commits by polling the feed", async () => {
    const file = join(await tempRoot(), "palace.sqlite");
    const [p1, p2] = [new SqliteGoalMemory(file, { feedIntervalMs: 20 }), new SqliteGoalMemory(file, { feedIntervalMs: 20 })];
    try {
      const a = settleAfterTest(await GoalStore.load(p1, await tempRoot()));
      const b = settleAfterTest(await GoalStore.load(p2, await tempRoot()));
      const goal = await a.create("made by a");
      await a.link(goal.id, { sessionId: "s1", task: "t", state: "verified" });
      await waitFor(() => b.get(goal.id)?.revision === 2);
      expect(b.get(goal.id)).toEqual(a.get(goal.id));
      await Promise.all([a.dispose(), b.dispose()]);
    } finally {
      p1.close();
      p2.close();
    }
  });

  it("expectedRevision: strict optimistic locking rejects with STALE at once, and writes nothing", async () => {
    const palace = new InMemoryGoalMemory();
    const [a, b] = [
      settleAfterTest(await GoalStore.load(withoutFeed(palace), await tempRoot())),
      settleAfterTest(await GoalStore.load(withoutFeed(palace), await tempRoot())),
    ];
    const goal = await a.create("seen on a dashboard");
    await b.note(goal.id, "someone else first"); // revision 2, unknown to a
    const writes = palace.writes;
    const error = await a.note(goal.id, "based on revision 1", { expectedRevision: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaleError);
    expect(error).toMatchObject({ code: "STALE", goalId: goal.id, expected: 1, actual: 2 });
    expect(palace.writes).toBe(writes);
    expect((await a.note(goal.id, "based on revision 2", { expectedRevision: 2 })).revision).toBe(3);
  });

  it("regression: a change that changes nothing on a stale view is judged on the palace's revision", async () => {
    // Found in review: setStatus("inProgress") on a view still at inProgress
    // resolved as a no-op while the palace held "blocked" from another writer.
    const palace = new InMemoryGoalMemory();
    const [a, b] = [
      settleAfterTest(await GoalStore.load(withoutFeed(palace), await tempRoot())),
      settleAfterTest(await GoalStore.load(withoutFeed(palace), await tempRoot())),
    ];
    const goal = await a.create("contended status");
    await a.setStatus(goal.id, "inProgress");
    await b.setStatus(goal.id, "blocked");
    const reopened = await a.setStatus(goal.id, "inProgress");
    expect(reopened).toMatchObject({ status: "inProgress", revision: 4 });
    expect(decodeEntry(palace.entries(GOAL_TAG)[0] as string)).toMatchObject({ status: "inProgress", revision: 4 });
    await b.setStatus(goal.id, "blocked");
    await expect(a.setStatus(goal.id, "inProgress", { expectedRevision: 4 })).rejects.toMatchObject({ code: "STALE", actual: 5 });
  });

  it("re-applying a change to the fresh goal re-checks the gate", async () => {
    const palace = new InMemoryGoalMemory();
    const [a, b] = [
      settleAfterTest(await GoalStore.load(withoutFeed(palace), await tempRoot())),
      settleAfterTest(await GoalStore.load(withoutFeed(palace), await tempRoot())),
    ];
    const goal = await a.create("gate");
    await a.link(goal.id, { sessionId: "s1", task: "t", state: "verified" });
    // b links an unverified session: a's view (all verified) is now stale.
    await b.link(goal.id, { sessionId: "s2", task: "t" });
    await expect(a.close(goal.id)).rejects.toMatchObject({ code: "VERIFICATION_GATE", verified: 1, total: 2 });
    expect(a.get(goal.id)?.sessions).toHaveLength(2);
  });
});
