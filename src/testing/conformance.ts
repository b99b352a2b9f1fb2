import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GOAL_TAG, type GoalMemory } from "../memory.js";
import { GoalStore } from "../store.js";

/** A test registrar such as vitest's or jest's `it`, or node:test's `test`. */
export type TestRegistrar = (name: string, body: () => Promise<void>) => unknown;

/** Options of {@link palaceConformance}. */
export interface PalaceConformanceOptions<M extends GoalMemory> {
  /**
   * For durable adapters: closes `memory` and opens a new instance over the same
   * storage. When given, the suite checks that entries survive a reopen.
   */
  reopen?: (memory: M) => M | Promise<M>;
  /**
   * Makes `memory` fail from now on (close its connection, say). When given, the
   * suite checks that failures surface as rejected promises and that a store
   * over the adapter stays unchanged when a write fails.
   */
  breakMemory?: (memory: M) => void | Promise<void>;
  /** Releases a palace after its test (close a connection, delete a file). */
  dispose?: (memory: M) => void | Promise<void>;
  /** Registers adapter-specific tests beside the suite's, with the same fresh-palace factory. */
  extraTests?: (test: TestRegistrar, makeMemory: () => M | Promise<M>) => void;
}

/**
 * The contract every {@link GoalMemory} adapter must meet, as tests registered
 * with your runner's `it`. Each test gets a fresh palace from `makeMemory`;
 * test names state the rule, so a failure says which one the adapter breaks.
 * Assertions use `node:assert`, so any runner works.
 *
 * @example
 * ```ts
 * import { describe, it } from "vitest";
 * import { palaceConformance } from "goal-store/testing";
 *
 * describe("MyPalace", () => {
 *   palaceConformance(it, () => new MyPalace(), { dispose: (palace) => palace.close() });
 * });
 * ```
 */
export function palaceConformance<M extends GoalMemory>(
  test: TestRegistrar,
  makeMemory: () => M | Promise<M>,
  options: PalaceConformanceOptions<M> = {},
): void {
  const withMemory = (name: string, body: (memory: M, own: (next: M) => M) => Promise<void>): void => {
    test(name, async () => {
      let current = await makeMemory();
      try {
        // A reopen replaces the palace; dispose whichever is current at the end.
        await body(current, (next) => (current = next));
      } finally {
        await options.dispose?.(current);
      }
    });
  };

  withMemory("listGoals(tag) returns an entry once rememberGoal(json, tag) has resolved", async (memory) => {
    const json = entry("g-a", 1);
    await memory.rememberGoal(json, GOAL_TAG, { goalId: "g-a", revision: 1 });
    assert.deepEqual(await memory.listGoals(GOAL_TAG), [json]);
  });

  withMemory("listGoals(tag) returns only goals remembered under tag", async (memory) => {
    await memory.rememberGoal(entry("g-a", 1), "tag-one", { goalId: "g-a", revision: 1 });
    await memory.rememberGoal(entry("g-b", 1), "tag-two", { goalId: "g-b", revision: 1 });
    assert.deepEqual(await memory.listGoals("tag-one"), [entry("g-a", 1)]);
    assert.deepEqual(await memory.listGoals("tag-two"), [entry("g-b", 1)]);
  });

  withMemory("listGoals of an unknown tag resolves to []", async (memory) => {
    assert.deepEqual(await memory.listGoals("never-used"), []);
  });

  withMemory("entries come back byte for byte (unicode, escapes, 1 MiB)", async (memory) => {
    const odd = JSON.stringify({ id: "g-odd", revision: 1, text: 'ünï "cödé" \n\t\u2028 🎯 \\', big: "x".repeat(1 << 20) });
    await memory.rememberGoal(odd, GOAL_TAG, { goalId: "g-odd", revision: 1 });
    assert.deepEqual(await memory.listGoals(GOAL_TAG), [odd]);
  });

  withMemory("100 concurrent rememberGoal calls for distinct goals all land", async (memory) => {
    const ids = Array.from({ length: 100 }, (_, i) => `g-${String(i).padStart(3, "0")}`);
    await Promise.all(ids.map((id) => memory.rememberGoal(entry(id, 1), GOAL_TAG, { goalId: id, revision: 1 })));
    const listed = (await memory.listGoals(GOAL_TAG)).map((json) => (JSON.parse(json) as { id: string }).id);
    assert.deepEqual([...new Set(listed)].sort(), ids);
  });

  withMemory("GoalStore.load over the adapter sees the newest revision of every goal", async (memory) => {
    for (const [id, revision] of [["g-a", 1], ["g-a", 3], ["g-b", 1], ["g-a", 2], ["g-b", 2]] as const) {
      await memory.rememberGoal(entry(id, revision), GOAL_TAG, { goalId: id, revision });
    }
    const store = await loadStore(memory);
    assert.deepEqual(
      store.all().map((goal) => [goal.id, goal.revision]),
      [["g-a", 3], ["g-b", 2]],
    );
  });

  withMemory("a store's mutations reload from the adapter unchanged", async (memory) => {
    await withDataRoot(async (root) => {
      const store = await GoalStore.load(memory, root);
      const goal = await store.create("conformance goal", ["criterion"]);
      await store.link(goal.id, { sessionId: "s1", task: "work", evidence: "log" });
      await store.update(goal.id, { sessionId: "s1", state: "verified", note: "done" });
      await store.close(goal.id);
      await store.flush();
      const reloaded = await GoalStore.load(memory, root);
      assert.deepEqual(reloaded.all(), store.all());
      await reloaded.flush();
    });
  });

  if (options.reopen !== undefined) {
    const reopen = options.reopen;
    withMemory("durable: entries survive closing and reopening the palace", async (memory, own) => {
      await memory.rememberGoal(entry("g-a", 1), GOAL_TAG, { goalId: "g-a", revision: 1 });
      await memory.rememberGoal(entry("g-a", 2), GOAL_TAG, { goalId: "g-a", revision: 2 });
      await memory.rememberGoal(entry("g-b", 1), "other", { goalId: "g-b", revision: 1 });
      const reopened = own(await reopen(memory));
      const store = await loadStore(reopened);
      assert.deepEqual(store.all().map((goal) => [goal.id, goal.revision]), [["g-a", 2]]);
      assert.deepEqual(await reopened.listGoals("other"), [entry("g-b", 1)]);
    });
  }

  if (options.breakMemory !== undefined) {
    const breakMemory = options.breakMemory;
    withMemory("failures surface as rejected promises, never as synchronous throws", async (memory) => {
      await breakMemory(memory);
      await assert.rejects(callAsync(() => memory.rememberGoal(entry("g-a", 1), GOAL_TAG, { goalId: "g-a", revision: 1 })));
      await assert.rejects(callAsync(() => memory.listGoals(GOAL_TAG)));
    });

    withMemory("a store over a failing adapter rejects with PALACE and stays unchanged", async (memory) => {
      await withDataRoot(async (root) => {
        const store = await GoalStore.load(memory, root);
        const goal = await store.create("kept");
        const before = store.all();
        await breakMemory(memory);
        await assert.rejects(store.note(goal.id, "lost"), { code: "PALACE" });
        await assert.rejects(store.create("phantom"), { code: "PALACE" });
        assert.deepEqual(store.all(), before);
        await store.flush();
      });
    });
  }

  options.extraTests?.(test, makeMemory);
}

// A wire-format goal, so the store's loader accepts it.
function entry(id: string, revision: number): string {
  return JSON.stringify({
    id,
    description: `goal ${id}`,
    status: "pending",
    acceptance: [],
    sessions: [],
    progress: 0,
    created: "2026-06-16T12:00:00.000Z",
    updated: `2026-06-16T12:00:0${Math.min(revision, 9)}.000Z`,
    notes: [],
    revision,
  });
}

// Calls `action` so that a synchronous throw fails the assertion instead of escaping it.
function callAsync(action: () => Promise<unknown>): Promise<unknown> {
  let result: Promise<unknown>;
  try {
    result = action();
  } catch (error) {
    return Promise.resolve(`threw synchronously: ${String(error)}`);
  }
  return result;
}

async function loadStore(memory: GoalMemory): Promise<GoalStore> {
  return withDataRoot(async (root) => {
    const store = await GoalStore.load(memory, root);
    await store.flush();
    return store;
  });
}

async function withDataRoot<T>(body: (root: string) => Promise<T>): Promise<T> {
  const root = await mkdtemp(join(tmpdir(), "goal-store-conformance-"));
  try {
    return await body(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
