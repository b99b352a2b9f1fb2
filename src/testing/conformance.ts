import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GOAL_TAG, type GoalMemory } from "../palace/contract.js";
import { GoalStore } from "../store/goal-store.js";
import { goalEntry } from "./fixtures.js";

/** A test registrar such as vitest's or jest's `it`, or node:test's `test`. */
export type TestRegistrar = (name: string, body: () => Promise<void>) => unknown;

/** Options of {@link palaceConformance}. */
export interface PalaceConformanceOptions<M extends GoalMemory> {
  /**
   * For durable adapters: closes `palace` and opens a new instance over the same
   * storage. When given, the suite checks that entries survive a reopen.
   */
  reopen?: (palace: M) => M | Promise<M>;
  /**
   * Makes `palace` fail from now on (close its connection, say). When given, the
   * suite checks that failures surface as rejected promises and that a store
   * over the adapter stays unchanged when a write fails.
   */
  breakPalace?: (palace: M) => void | Promise<void>;
  /** Releases a palace after its test (close a connection, delete a file). */
  dispose?: (palace: M) => void | Promise<void>;
  /** Registers adapter-specific tests beside the suite's, with the same fresh-palace factory. */
  extraTests?: (test: TestRegistrar, makePalace: () => M | Promise<M>) => void;
}

/**
 * The contract every {@link GoalMemory} adapter must meet, as tests registered
 * with your runner's `it`. Each test gets a fresh palace from `makePalace`;
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
  makePalace: () => M | Promise<M>,
  options: PalaceConformanceOptions<M> = {},
): void {
  const withPalace = (name: string, body: (palace: M, own: (next: M) => M) => Promise<void>): void => {
    test(name, async () => {
      let current = await makePalace();
      try {
        // A reopen replaces the palace; dispose whichever is current at the end.
        await body(current, (next) => (current = next));
      } finally {
        await options.dispose?.(current);
      }
    });
  };

  withPalace("listGoals(tag) returns an entry once rememberGoal(json, tag) has resolved", async (palace) => {
    const json = goalEntry("g-a", 1);
    await palace.rememberGoal(json, GOAL_TAG, { goalId: "g-a", revision: 1 });
    assert.deepEqual(await palace.listGoals(GOAL_TAG), [json]);
  });

  withPalace("listGoals(tag) returns only goals remembered under tag", async (palace) => {
    await palace.rememberGoal(goalEntry("g-a", 1), "tag-one", { goalId: "g-a", revision: 1 });
    await palace.rememberGoal(goalEntry("g-b", 1), "tag-two", { goalId: "g-b", revision: 1 });
    assert.deepEqual(await palace.listGoals("tag-one"), [goalEntry("g-a", 1)]);
    assert.deepEqual(await palace.listGoals("tag-two"), [goalEntry("g-b", 1)]);
  });

  withPalace("listGoals of an unknown tag resolves to []", async (palace) => {
    assert.deepEqual(await palace.listGoals("never-used"), []);
  });

  withPalace("entries come back byte for byte (unicode, escapes, 1 MiB)", async (palace) => {
    const odd = JSON.stringify({ id: "g-odd", revision: 1, text: 'ünï "cödé" \n\t\u2028 🎯 \\', big: "x".repeat(1 << 20) });
    await palace.rememberGoal(odd, GOAL_TAG, { goalId: "g-odd", revision: 1 });
    assert.deepEqual(await palace.listGoals(GOAL_TAG), [odd]);
  });

  withPalace("100 concurrent rememberGoal calls for distinct goals all land", async (palace) => {
    const ids = Array.from({ length: 100 }, (_, i) => `g-${String(i).padStart(3, "0")}`);
    await Promise.all(ids.map((id) => palace.rememberGoal(goalEntry(id, 1), GOAL_TAG, { goalId: id, revision: 1 })));
    const listed = (await palace.listGoals(GOAL_TAG)).map((json) => (JSON.parse(json) as { id: string }).id);
    assert.deepEqual([...new Set(listed)].sort(), ids);
  });

  withPalace("GoalStore.load over the adapter sees the newest revision of every goal", async (palace) => {
    for (const [id, revision] of [["g-a", 1], ["g-a", 3], ["g-b", 1], ["g-a", 2], ["g-b", 2]] as const) {
      await palace.rememberGoal(goalEntry(id, revision), GOAL_TAG, { goalId: id, revision });
    }
    const store = await loadStore(palace);
    assert.deepEqual(
      store.all().map((goal) => [goal.id, goal.revision]),
      [["g-a", 3], ["g-b", 2]],
    );
  });

  withPalace("a store's mutations reload from the adapter unchanged", async (palace) => {
    await withDataRoot(async (root) => {
      const store = await GoalStore.load(palace, root);
      const goal = await store.create("conformance goal", ["criterion"]);
      await store.link(goal.id, { sessionId: "s1", task: "work", evidence: "log" });
      await store.update(goal.id, { sessionId: "s1", state: "verified", note: "done" });
      await store.close(goal.id);
      await store.flush();
      const reloaded = await GoalStore.load(palace, root);
      assert.deepEqual(reloaded.all(), store.all());
      await reloaded.flush();
    });
  });

  if (options.reopen !== undefined) {
    const reopen = options.reopen;
    withPalace("durable: entries survive closing and reopening the palace", async (palace, own) => {
      await palace.rememberGoal(goalEntry("g-a", 1), GOAL_TAG, { goalId: "g-a", revision: 1 });
      await palace.rememberGoal(goalEntry("g-a", 2), GOAL_TAG, { goalId: "g-a", revision: 2 });
      await palace.rememberGoal(goalEntry("g-b", 1), "other", { goalId: "g-b", revision: 1 });
      const reopened = own(await reopen(palace));
      const store = await loadStore(reopened);
      assert.deepEqual(store.all().map((goal) => [goal.id, goal.revision]), [["g-a", 2]]);
      assert.deepEqual(await reopened.listGoals("other"), [goalEntry("g-b", 1)]);
    });
  }

  if (options.breakPalace !== undefined) {
    const breakPalace = options.breakPalace;
    withPalace("failures surface as rejected promises, never as synchronous throws", async (palace) => {
      await breakPalace(palace);
      await assert.rejects(callAsync(() => palace.rememberGoal(goalEntry("g-a", 1), GOAL_TAG, { goalId: "g-a", revision: 1 })));
      await assert.rejects(callAsync(() => palace.listGoals(GOAL_TAG)));
    });

    withPalace("a store over a failing adapter rejects with PALACE and stays unchanged", async (palace) => {
      await withDataRoot(async (root) => {
        const store = await GoalStore.load(palace, root);
        const goal = await store.create("kept");
        const before = store.all();
        await breakPalace(palace);
        await assert.rejects(store.note(goal.id, "lost"), { code: "PALACE" });
        await assert.rejects(store.create("phantom"), { code: "PALACE" });
        assert.deepEqual(store.all(), before);
        await store.flush();
      });
    });
  }

  options.extraTests?.(test, makePalace);
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

async function loadStore(palace: GoalMemory): Promise<GoalStore> {
  return withDataRoot(async (root) => {
    const store = await GoalStore.load(palace, root);
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
