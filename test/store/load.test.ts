import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { CacheCorruptError, GOAL_TAG, GoalStore, type Goal, type GoalMemory, type GoalStoreError } from "../../src/index.js";
import { decodeGoal, encodeGoal } from "../../src/wire/index.js";
import { goalFixture, InMemoryGoalMemory } from "../../src/testing/index.js";
import { settleAfterTest, tempRoot } from "../helpers.js";

function goal(id: string, revision: number, updated: string, notes: string[] = []): Goal {
  return goalFixture({ id, description: "d", revision, updated: new Date(updated), notes });
}

async function load(palace: InMemoryGoalMemory, root?: string, onCacheError?: (e: GoalStoreError) => void) {
  return settleAfterTest(
    await GoalStore.load(palace, root ?? (await tempRoot()), onCacheError === undefined ? {} : { onCacheError }),
  );
}

describe("load from the palace", () => {
  it("skips corrupt entries, reporting their index and reason", async () => {
    const palace = new InMemoryGoalMemory({ mode: "append" });
    await palace.rememberGoal(encodeGoal(goal("g-a", 1, "2026-06-16T12:00:00Z")), GOAL_TAG);
    await palace.rememberGoal("{not json", GOAL_TAG);
    await palace.rememberGoal(JSON.stringify({ id: "g-b", status: "weird" }), GOAL_TAG);
    await palace.rememberGoal(JSON.stringify([1, 2]), GOAL_TAG);
    await palace.rememberGoal(encodeGoal(goal("g-c", 1, "2026-06-16T12:00:00Z")), GOAL_TAG);
    const store = await load(palace);
    expect(store.all().map((g) => g.id)).toEqual(["g-a", "g-c"]);
    expect(store.loadReport?.source).toBe("palace");
    expect(store.loadReport?.goals).toBe(2);
    expect(store.loadReport?.skipped.map((s) => s.index)).toEqual([1, 2, 3]);
    for (const skipped of store.loadReport?.skipped ?? []) expect(skipped.reason.length).toBeGreaterThan(0);
  });

  it("reads only entries under GOAL_TAG", async () => {
    const palace = new InMemoryGoalMemory();
    await palace.rememberGoal(encodeGoal(goal("g-other", 1, "2026-06-16T12:00:00Z")), "other-tag");
    expect((await load(palace)).all()).toEqual([]);
  });

  it("duplicates: highest revision wins, then later updated, then later in the list", async () => {
    // Entries as a log written by other tools may hold them, out of revision
    // order: a compare-and-set palace would refuse to take them in this order.
    const entries = [
      goal("g-a", 3, "2026-06-16T12:00:03Z", ["rev3"]),
      goal("g-a", 1, "2026-06-16T12:00:09Z", ["rev1 later updated"]),
      goal("g-a", 2, "2026-06-16T12:00:02Z", ["rev2"]),
      goal("g-b", 2, "2026-06-16T12:00:05Z", ["b later updated"]),
      goal("g-b", 2, "2026-06-16T12:00:01Z", ["b earlier updated"]),
      goal("g-c", 0, "2026-06-16T12:00:00Z", ["c first"]),
      goal("g-c", 0, "2026-06-16T12:00:00Z", ["c second"]),
    ];
    const palace: GoalMemory = {
      rememberGoal: async () => {},
      listGoals: async (tag) => (tag === GOAL_TAG ? entries.map(encodeGoal) : []),
    };
    const store = settleAfterTest(await GoalStore.load(palace, await tempRoot()));
    expect(store.get("g-a")?.notes).toEqual(["rev3"]);
    expect(store.get("g-b")?.notes).toEqual(["b later updated"]);
    expect(store.get("g-c")?.notes).toEqual(["c second"]);
    expect(store.loadReport).toMatchObject({ goals: 3, duplicates: 4, skipped: [] });
  });

  it("recomputes progress rather than trusting stored values", async () => {
    const palace = new InMemoryGoalMemory();
    const stored = {
      ...JSON.parse(encodeGoal(goal("g-a", 4, "2026-06-16T12:00:00Z"))),
      sessions: [
        { session_id: "s1", task: "t", state: "verified", evidence: null },
        { session_id: "s2", task: "t", state: "running", evidence: null },
      ],
      progress: 100,
    };
    await palace.rememberGoal(JSON.stringify(stored), GOAL_TAG);
    expect((await load(palace)).get("g-a")?.progress).toBe(50);
  });

  it("an append-only palace: a reload sees the newest revision of every goal", async () => {
    const palace = new InMemoryGoalMemory({ mode: "append" });
    const root = await tempRoot();
    const store = await load(palace, root);
    const g = await store.create("d");
    await store.note(g.id, "one");
    await store.note(g.id, "two");
    const reloaded = await load(palace, root);
    expect(reloaded.get(g.id)).toEqual(store.get(g.id));
    expect(reloaded.loadReport?.duplicates).toBe(2);
  });

  it("a failed goals.json rewrite after a palace rebuild still loads, reporting cacheError and onCacheError", async () => {
    const palace = new InMemoryGoalMemory();
    await palace.rememberGoal(encodeGoal(goal("g-a", 1, "2026-06-16T12:00:00Z")), GOAL_TAG);
    const root = await tempRoot();
    await writeFile(join(root, "sm"), "a file where the folder should be");
    const reported: GoalStoreError[] = [];
    const store = await load(palace, root, (e) => reported.push(e));
    expect(store.all().map((g) => g.id)).toEqual(["g-a"]);
    expect(store.loadReport?.cacheError?.code).toBe("CACHE_IO");
    expect(reported).toEqual([store.loadReport?.cacheError]);
  });

  it("a listGoals that returns a non-array counts as a palace failure", async () => {
    const palace = new InMemoryGoalMemory();
    palace.listGoals = async () => "nope" as never;
    const store = await load(palace);
    expect(store.loadReport?.source).toBe("cache");
    expect(store.loadReport?.palaceError?.code).toBe("PALACE");
  });
});

describe("load with the palace down", () => {
  async function rootWithCache(text: string): Promise<string> {
    const root = await tempRoot();
    const path = join(root, "sm", "goals.json");
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    return root;
  }

  it("goals.json not a JSON array: CACHE_CORRUPT", async () => {
    for (const text of ["{broken", '{"a":1}']) {
      const palace = new InMemoryGoalMemory();
      palace.failNextLists(1);
      await expect(GoalStore.load(palace, await rootWithCache(text))).rejects.toBeInstanceOf(CacheCorruptError);
    }
  });

  it("invalid goals inside a valid array are skipped and reported; duplicates deduped", async () => {
    const good = JSON.parse(encodeGoal(goal("g-a", 2, "2026-06-16T12:00:00Z"))) as object;
    const older = JSON.parse(encodeGoal(goal("g-a", 1, "2026-06-16T12:00:00Z"))) as object;
    const palace = new InMemoryGoalMemory();
    palace.failNextLists(1);
    const store = await load(palace, await rootWithCache(JSON.stringify([good, 42, { id: "g-x" }, older])));
    expect(store.all().map((g) => g.revision)).toEqual([2]);
    expect(store.loadReport).toMatchObject({ source: "cache", goals: 1, duplicates: 1 });
    expect(store.loadReport?.skipped.map((s) => s.index)).toEqual([1, 2]);
  });

  it("does not rewrite goals.json (it is the only copy it has)", async () => {
    const text = `[${encodeGoal(goal("g-a", 1, "2026-06-16T12:00:00Z"))}]`;
    const root = await rootWithCache(text);
    const palace = new InMemoryGoalMemory();
    palace.failNextLists(1);
    const store = await load(palace, root);
    await store.flush();
    expect(await readFile(store.cacheFile, "utf8")).toBe(text);
  });

  it("after load, commits resume once the palace is back, and goals.json follows", async () => {
    const palace = new InMemoryGoalMemory();
    const root = await tempRoot();
    const first = await load(palace, root);
    const g = await first.create("d");
    await first.flush();
    palace.failNextLists(1);
    const degraded = await load(palace, root);
    await degraded.note(g.id, "back");
    await degraded.flush();
    const cached = (JSON.parse(await readFile(degraded.cacheFile, "utf8")) as unknown[]).map(decodeGoal);
    expect(cached[0]?.notes).toEqual(["back"]);
    await rm(degraded.cacheFile);
    expect((await load(palace, root)).get(g.id)?.notes).toEqual(["back"]);
  });
});
