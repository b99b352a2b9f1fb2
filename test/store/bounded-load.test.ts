import { open } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  GOAL_TAG,
  GoalStore,
  InvalidInputError,
  VerificationGateError,
  type GoalMemory,
} from "../../src/index.js";
import { encodeGoal } from "../../src/wire/index.js";
import { WritableGoalCache } from "../../src/cache/writable-goal-cache.js";
import { goalFixture, InMemoryGoalMemory } from "../../src/testing/index.js";
import { freshStore, settleAfterTest, tempRoot, rustGoal } from "../helpers.js";

// Issue 13: lenient reading of Rust data, loaded data that breaks our rules,
// bounded counts and sizes.

function rustEntry(fields: Record<string, unknown>): string {
  return JSON.stringify(rustGoal(fields));
}

const link = (session_id: string, state: string) => ({ session_id, task: "t", state, evidence: null });

async function loadFrom(...entries: string[]): Promise<{ store: GoalStore; palace: InMemoryGoalMemory }> {
  const palace = new InMemoryGoalMemory({ mode: "append" });
  for (const entry of entries) await palace.rememberGoal(entry, GOAL_TAG);
  return { store: settleAfterTest(await GoalStore.load(palace, await tempRoot())), palace };
}

describe("reading Rust data leniently", () => {
  it("an empty session_id and task load", async () => {
    const { store } = await loadFrom(rustEntry({ sessions: [{ session_id: "", task: "", state: "running", evidence: null }] }));
    expect(store.get("g-1234abcd")?.sessions).toEqual([{ sessionId: "", task: "", state: "running", evidence: null }]);
    expect(store.loadReport?.skipped).toEqual([]);
  });

  it("an unreadable newest entry never resurrects an older revision: the goal is withheld and reported by id", async () => {
    const { store } = await loadFrom(
      rustEntry({ revision: 2, description: "older" }),
      rustEntry({ revision: 3, status: "not-a-status" }),
    );
    expect(store.get("g-1234abcd")).toBeUndefined();
    expect(store.loadReport?.withheld).toEqual(["g-1234abcd"]);
    expect(store.loadReport?.skipped).toEqual([expect.objectContaining({ index: 1, goalId: "g-1234abcd" })]);
  });

  it("an unreadable older entry does not withhold the newest readable one", async () => {
    const { store } = await loadFrom(rustEntry({ revision: 1, status: "bad" }), rustEntry({ revision: 2 }));
    expect(store.get("g-1234abcd")?.revision).toBe(2);
    expect(store.loadReport?.withheld).toEqual([]);
  });
});

describe("loaded data that breaks our rules", () => {
  const broken = rustEntry({ status: "done", sessions: [link("s1", "running"), link("s1", "verified"), link("s2", "running")] });

  it("is reported in loadReport.flagged with the goal id", async () => {
    const { store } = await loadFrom(broken);
    expect(store.loadReport?.flagged.map((f) => [f.goalId, f.problem])).toEqual([
      ["g-1234abcd", "doneUnverified"],
      ["g-1234abcd", "duplicateSession"],
    ]);
  });

  it("a change that keeps it done unverified is refused; reopened, update reaches every duplicate and it can close", async () => {
    const { store } = await loadFrom(broken);
    await expect(store.note("g-1234abcd", "n")).rejects.toBeInstanceOf(VerificationGateError);
    await expect(store.close("g-1234abcd")).rejects.toBeInstanceOf(VerificationGateError);
    await store.setStatus("g-1234abcd", "inProgress");
    const updated = await store.update("g-1234abcd", { sessionId: "s1", state: "verified" });
    expect(updated.sessions.map((s) => s.state)).toEqual(["verified", "verified", "running"]);
    await store.update("g-1234abcd", { sessionId: "s2", state: "verified" });
    expect((await store.close("g-1234abcd")).status).toBe("done");
  });
});

describe("bounded counts and sizes", () => {
  it("40,000 acceptance items of 16 KiB: INVALID_INPUT, never a RangeError, nothing written", async () => {
    const { store, palace } = await freshStore();
    const error = await store.create("x", new Array<string>(40_000).fill("a".repeat(16_384))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(palace.writes).toBe(0);
  });

  it("sessions, notes and one goal's size are bounded by configurable limits, checked before anything is written", async () => {
    const { store, palace } = await freshStore({ limits: { sessions: 1, notes: 1, acceptance: 1, goalSize: 2_000 } });
    await expect(store.create("x", ["a", "b"])).rejects.toBeInstanceOf(InvalidInputError);
    const goal = await store.create("x", ["a"]);
    await store.link(goal.id, { sessionId: "s1", task: "t" });
    await store.note(goal.id, "one");
    const writes = palace.writes;
    await expect(store.link(goal.id, { sessionId: "s2", task: "t" })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.note(goal.id, "two")).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.update(goal.id, { sessionId: "s1", evidence: "e".repeat(2_000) })).rejects.toBeInstanceOf(InvalidInputError);
    expect(palace.writes).toBe(writes);
  });

  it("loaded goals over the size limit are skipped and reported; over a count limit, flagged", async () => {
    const big = rustEntry({ id: "g-big", description: "d".repeat(5_000) });
    const many = rustEntry({ id: "g-many", notes: ["1", "2", "3"] });
    const palace = new InMemoryGoalMemory();
    await palace.rememberGoal(big, GOAL_TAG);
    await palace.rememberGoal(many, GOAL_TAG);
    const store = settleAfterTest(await GoalStore.load(palace, await tempRoot(), { limits: { goalSize: 2_000, notes: 2 } }));
    expect(store.get("g-big")).toBeUndefined();
    expect(store.loadReport?.skipped).toEqual([expect.objectContaining({ goalId: "g-big" })]);
    expect(store.loadReport?.flagged).toEqual([expect.objectContaining({ goalId: "g-many", problem: "overLimit" })]);
  });

  it("goals.json larger than V8's longest string is still read (palace down, CLI)", async () => {
    const root = await tempRoot();
    const path = join(root, "sm", "goals.json");
    const cache = new WritableGoalCache(path);
    const goal = goalFixture({ id: "g-1", description: "d" });
    const element = encodeGoal(goal);
    await cache.writeContent("[]\n");
    // 600 MiB of whitespace between two goals: valid JSON, more than 2^29 characters.
    const handle = await open(path, "w");
    try {
      await handle.write(`[${element},`);
      const spaces = Buffer.alloc(64 << 20, 0x20);
      for (let i = 0; i < 10; i++) await handle.write(spaces);
      await handle.write(`${encodeGoal({ ...goal, id: "g-2" })}]\n`);
    } finally {
      await handle.close();
    }
    const down: GoalMemory = { rememberGoal: async () => {}, listGoals: async () => Promise.reject(new Error("down")) };
    const store = settleAfterTest(await GoalStore.load(down, root));
    expect(store.all().map((g) => g.id)).toEqual(["g-1", "g-2"]);
  }, 120_000);
});

describe("no-op changes write no new revision", () => {
  it("update with nothing to change, setStatus to the same status, close of a goal already done", async () => {
    const { store, palace } = await freshStore();
    const goal = await store.create("x");
    await store.link(goal.id, { sessionId: "s1", task: "t", state: "verified" });
    await store.close(goal.id);
    const writes = palace.writes;
    const revision = store.get(goal.id)?.revision;
    expect((await store.update(goal.id, { sessionId: "s1" })).revision).toBe(revision);
    expect((await store.update(goal.id, { sessionId: "s1", state: "verified" })).revision).toBe(revision);
    expect((await store.close(goal.id)).revision).toBe(revision);
    expect((await store.setStatus(goal.id, "done")).revision).toBe(revision);
    expect(palace.writes).toBe(writes);
  });
});
