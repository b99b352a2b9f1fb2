import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GOAL_TAG, keyInEntry, type GoalMemory, type PalaceEvent } from "../palace/contract.js";
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
   * Opens a second connection to the same storage as `palace` (another process
   * would have one), released with `dispose`. The race and feed rules use it.
   * @default the same instance
   */
  connect?: (palace: M) => M | Promise<M>;
  /**
   * Makes `palace` fail from now on (close its connection, say). When given, the
   * suite checks that failures surface as rejected promises and that a store
   * over the adapter stays unchanged when a write fails.
   */
  breakPalace?: (palace: M) => void | Promise<void>;
  /** Releases a palace after its test (close a connection, delete a file). */
  dispose?: (palace: M) => void | Promise<void>;
  /**
   * How long the feed rule waits for an event, in ms; raise it for a feed that polls slowly.
   * @default 5000
   */
  feedTimeoutMs?: number;
  /** Registers adapter-specific tests beside the suite's, with the same fresh-palace factory. */
  extraTests?: (test: TestRegistrar, makePalace: () => M | Promise<M>) => void;
}

/**
 * The contract every {@link GoalMemory} adapter must meet, as tests registered
 * with your runner's `it`. Each test gets a fresh palace from `makePalace`;
 * test names state the rule, so a failure says which one the adapter breaks.
 * Assertions use `node:assert`, so any runner works. The optional capabilities
 * (`readGoal`, `watchGoals`) are checked when the adapter has them.
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
  // A second connection to the same storage, disposed after the body.
  const withSecond = async (palace: M, body: (second: M) => Promise<void>): Promise<void> => {
    if (options.connect === undefined) return body(palace);
    const second = await options.connect(palace);
    try {
      await body(second);
    } finally {
      await options.dispose?.(second);
    }
  };

  withPalace("listGoals(tag) returns an entry once rememberGoal(json, tag) has resolved", async (palace) => {
    const json = goalEntry("g-a", 1);
    await create(palace, json, "g-a");
    assert.deepEqual(await palace.listGoals(GOAL_TAG), [json]);
  });

  withPalace("listGoals(tag) returns only goals remembered under tag", async (palace) => {
    await palace.rememberGoal(goalEntry("g-a", 1), "tag-one", { goalId: "g-a", revision: 1, base: null });
    await palace.rememberGoal(goalEntry("g-b", 1), "tag-two", { goalId: "g-b", revision: 1, base: null });
    assert.deepEqual(await palace.listGoals("tag-one"), [goalEntry("g-a", 1)]);
    assert.deepEqual(await palace.listGoals("tag-two"), [goalEntry("g-b", 1)]);
  });

  withPalace("listGoals of an unknown tag resolves to []", async (palace) => {
    assert.deepEqual(await palace.listGoals("never-used"), []);
  });

  withPalace("entries come back byte for byte (unicode, escapes, 1 MiB)", async (palace) => {
    const odd = JSON.stringify({ id: "g-odd", revision: 1, text: 'ünï "cödé" \n\t\u2028 🎯 \\', big: "x".repeat(1 << 20) });
    await create(palace, odd, "g-odd");
    assert.deepEqual(await palace.listGoals(GOAL_TAG), [odd]);
  });

  withPalace("100 concurrent creates of distinct goals all land", async (palace) => {
    const ids = Array.from({ length: 100 }, (_, i) => `g-${String(i).padStart(3, "0")}`);
    await Promise.all(ids.map((id) => create(palace, goalEntry(id, 1), id)));
    assert.deepEqual([...new Set(idsIn(await palace.listGoals(GOAL_TAG)))].sort(), ids);
  });

  withPalace("compare-and-set: a write built on the goal's current revision is kept", async (palace) => {
    await create(palace, goalEntry("g-a", 1), "g-a");
    await palace.rememberGoal(goalEntry("g-a", 2), GOAL_TAG, { goalId: "g-a", revision: 2, base: 1 });
    await palace.rememberGoal(goalEntry("g-a", 3), GOAL_TAG, { goalId: "g-a", revision: 3, base: 2 });
    assert.equal(newest(await palace.listGoals(GOAL_TAG), "g-a"), goalEntry("g-a", 3));
  });

  withPalace("compare-and-set: creating a goal that exists rejects with code STALE and keeps nothing", async (palace) => {
    await create(palace, goalEntry("g-a", 1), "g-a");
    const intruder = goalEntry("g-a", 1, { description: "intruder" });
    await assert.rejects(palace.rememberGoal(intruder, GOAL_TAG, { goalId: "g-a", revision: 1, base: null }), { code: "STALE" });
    assert.equal(newest(await palace.listGoals(GOAL_TAG), "g-a"), goalEntry("g-a", 1));
  });

  withPalace("compare-and-set: a write built on an older revision rejects with code STALE and keeps nothing", async (palace) => {
    await create(palace, goalEntry("g-a", 1), "g-a");
    await palace.rememberGoal(goalEntry("g-a", 2), GOAL_TAG, { goalId: "g-a", revision: 2, base: 1 });
    const late = goalEntry("g-a", 2, { notes: ["built on revision 1"] });
    await assert.rejects(palace.rememberGoal(late, GOAL_TAG, { goalId: "g-a", revision: 2, base: 1 }), { code: "STALE" });
    await assert.rejects(palace.rememberGoal(goalEntry("g-b", 2), GOAL_TAG, { goalId: "g-b", revision: 2, base: 1 }), {
      code: "STALE",
    });
    const listed = await palace.listGoals(GOAL_TAG);
    assert.equal(newest(listed, "g-a"), goalEntry("g-a", 2));
    assert.ok(!listed.includes(late), "the stale entry was kept");
    assert.equal(newest(listed, "g-b"), undefined);
  });

  withPalace("compare-and-set: of two writers racing on the same base, exactly one is kept", async (palace) => {
    await withSecond(palace, async (second) => {
      for (let round = 0; round < 20; round++) {
        const id = `g-race-${round}`;
        await create(palace, goalEntry(id, 1), id);
        const [a, b] = [goalEntry(id, 2, { notes: ["a"] }), goalEntry(id, 2, { notes: ["b"] })];
        const results = await Promise.allSettled([
          palace.rememberGoal(a, GOAL_TAG, { goalId: id, revision: 2, base: 1 }),
          second.rememberGoal(b, GOAL_TAG, { goalId: id, revision: 2, base: 1 }),
        ]);
        const kept = results.filter((result) => result.status === "fulfilled").length;
        assert.equal(kept, 1, `round ${round}: ${kept} of 2 racing writes were kept`);
        const loser = results.find((result) => result.status === "rejected") as PromiseRejectedResult;
        assert.equal((loser.reason as { code?: unknown }).code, "STALE");
        const winner = results[0].status === "fulfilled" ? a : b;
        assert.equal(newest(await palace.listGoals(GOAL_TAG), id), winner);
      }
    });
  });

  withPalace("readGoal, when implemented, returns one goal's newest entry, or undefined", async (palace) => {
    if (palace.readGoal === undefined) return;
    await create(palace, goalEntry("g-a", 1), "g-a");
    await palace.rememberGoal(goalEntry("g-a", 2), GOAL_TAG, { goalId: "g-a", revision: 2, base: 1 });
    await create(palace, goalEntry("g-b", 1), "g-b");
    assert.equal(await palace.readGoal(GOAL_TAG, "g-a"), goalEntry("g-a", 2));
    assert.equal(await palace.readGoal(GOAL_TAG, "g-missing"), undefined);
    assert.equal(await palace.readGoal("other-tag", "g-a"), undefined);
  });

  withPalace("watchGoals, when implemented, reports a commit made through another connection", async (palace) => {
    if (palace.watchGoals === undefined) return;
    const events: PalaceEvent[] = [];
    const watch = palace.watchGoals(GOAL_TAG, (event) => events.push(event));
    try {
      await withSecond(palace, async (second) => {
        await create(second, goalEntry("g-a", 1), "g-a");
        await second.rememberGoal(goalEntry("g-a", 2), GOAL_TAG, { goalId: "g-a", revision: 2, base: 1 });
        await second.rememberGoal(goalEntry("g-b", 1), "other-tag", { goalId: "g-b", revision: 1, base: null });
        const seen = () => events.some((event) => event.kind === "entry" && event.goalId === "g-a" && event.revision === 2);
        await waitFor(seen, options.feedTimeoutMs ?? 5000, "the feed to report g-a revision 2");
        const entries = events.filter((event) => event.kind === "entry");
        assert.ok(entries.every((event) => event.goalId === "g-a"), "the feed reported an entry of another tag");
        const revisions = entries.map((event) => event.revision);
        assert.deepEqual(revisions, [...revisions].sort((a, b) => a - b), "events of one goal out of revision order");
        const last = entries.at(-1);
        if (last?.json !== undefined) assert.equal(last.json, goalEntry("g-a", 2));
      });
    } finally {
      await watch.close();
    }
  });

  withPalace("rememberGoals, when implemented, keeps each entry compare-and-set on its own, in order", async (palace) => {
    if (palace.rememberGoals === undefined) return;
    await create(palace, goalEntry("g-a", 1), "g-a");
    await create(palace, goalEntry("g-b", 1), "g-b");
    const outcomes = await palace.rememberGoals(GOAL_TAG, [
      { json: goalEntry("g-a", 2), key: { goalId: "g-a", revision: 2, base: 1 } },
      { json: goalEntry("g-b", 2), key: { goalId: "g-b", revision: 2, base: 5 } }, // stale base
      { json: goalEntry("g-a", 3), key: { goalId: "g-a", revision: 3, base: 2 } }, // chained on the first
      { json: goalEntry("g-c", 1), key: { goalId: "g-c", revision: 1, base: null } },
      { json: goalEntry("g-b", 3), key: { goalId: "g-b", revision: 3, base: 2 } }, // built on a refused entry
    ]);
    assert.deepEqual([...outcomes], ["kept", "stale", "kept", "kept", "stale"]);
    const listed = await palace.listGoals(GOAL_TAG);
    assert.equal(newest(listed, "g-a"), goalEntry("g-a", 3));
    assert.equal(newest(listed, "g-b"), goalEntry("g-b", 1));
    assert.equal(newest(listed, "g-c"), goalEntry("g-c", 1));
  });

  withPalace("rememberGoals, when implemented: of two batches racing on the same base, exactly one entry is kept", async (palace) => {
    if (palace.rememberGoals === undefined) return;
    await withSecond(palace, async (second) => {
      const remember = (target: GoalMemory, note: string) =>
        (target.rememberGoals as NonNullable<GoalMemory["rememberGoals"]>).call(target, GOAL_TAG, [
          { json: goalEntry("g-a", 2, { notes: [note] }), key: { goalId: "g-a", revision: 2, base: 1 } },
        ]);
      await create(palace, goalEntry("g-a", 1), "g-a");
      const [a, b] = await Promise.all([remember(palace, "a"), remember(second, "b")]);
      assert.deepEqual([a[0], b[0]].sort(), ["kept", "stale"]);
    });
  });

  withPalace("GoalStore.load over the adapter sees the newest revision of every goal", async (palace) => {
    await create(palace, goalEntry("g-a", 1), "g-a");
    await create(palace, goalEntry("g-b", 1), "g-b");
    await palace.rememberGoal(goalEntry("g-a", 2), GOAL_TAG, { goalId: "g-a", revision: 2, base: 1 });
    await palace.rememberGoal(goalEntry("g-b", 2), GOAL_TAG, { goalId: "g-b", revision: 2, base: 1 });
    await palace.rememberGoal(goalEntry("g-a", 3), GOAL_TAG, { goalId: "g-a", revision: 3, base: 2 });
    await withDataRoot(async (root) => {
      const store = await GoalStore.load(palace, root);
      try {
        assert.deepEqual(
          store.all().map((goal) => [goal.id, goal.revision]),
          [["g-a", 3], ["g-b", 2]],
        );
      } finally {
        await store.dispose();
      }
    });
  });

  withPalace("a store's mutations reload from the adapter unchanged", async (palace) => {
    await withDataRoot(async (root) => {
      const store = await GoalStore.load(palace, root);
      const goal = await store.create("conformance goal", ["criterion"]);
      await store.link(goal.id, { sessionId: "s1", task: "work", evidence: "log" });
      await store.update(goal.id, { sessionId: "s1", state: "verified", note: "done" });
      await store.close(goal.id);
      await store.dispose();
      const reloaded = await GoalStore.load(palace, root);
      assert.deepEqual(reloaded.all(), store.all());
      await reloaded.dispose();
    });
  });

  withPalace("two stores on one palace: every acknowledged mutation of both is kept", async (palace) => {
    await withSecond(palace, async (second) => {
      await withDataRoot(async (root) => {
        const [a, b] = [await GoalStore.load(palace, join(root, "a")), await GoalStore.load(second, join(root, "b"))];
        try {
          const goal = await a.create("shared goal");
          const acknowledged: string[] = [];
          const note = async (store: GoalStore, text: string) => {
            await store.note(goal.id, text);
            acknowledged.push(text);
          };
          // Turn by turn, so that each store writes on a view the other has just made stale...
          for (let i = 0; i < 5; i++) {
            await note(b, `b${i}`);
            await note(a, `a${i}`);
          }
          // ...then all at once.
          const burst = [
            ...Array.from({ length: 10 }, (_, i) => note(a, `a-burst${i}`)),
            ...Array.from({ length: 10 }, (_, i) => note(b, `b-burst${i}`)),
          ];
          await Promise.allSettled(burst);
          const reloaded = await GoalStore.load(palace, join(root, "check"));
          const kept = reloaded.get(goal.id)?.notes ?? [];
          await reloaded.dispose();
          assert.deepEqual([...kept].sort(), [...acknowledged].sort(), "acknowledged notes lost or duplicated");
          assert.equal(reloaded.get(goal.id)?.revision, 1 + acknowledged.length);
        } finally {
          await Promise.all([a.dispose(), b.dispose()]);
        }
      });
    });
  });

  if (options.reopen !== undefined) {
    const reopen = options.reopen;
    withPalace("durable: entries survive closing and reopening the palace", async (palace, own) => {
      await create(palace, goalEntry("g-a", 1), "g-a");
      await palace.rememberGoal(goalEntry("g-a", 2), GOAL_TAG, { goalId: "g-a", revision: 2, base: 1 });
      await palace.rememberGoal(goalEntry("g-b", 1), "other", { goalId: "g-b", revision: 1, base: null });
      const reopened = own(await reopen(palace));
      assert.equal(newest(await reopened.listGoals(GOAL_TAG), "g-a"), goalEntry("g-a", 2));
      assert.deepEqual(await reopened.listGoals("other"), [goalEntry("g-b", 1)]);
      // Compare-and-set holds across the reopen too.
      await assert.rejects(reopened.rememberGoal(goalEntry("g-a", 2), GOAL_TAG, { goalId: "g-a", revision: 2, base: 1 }), {
        code: "STALE",
      });
    });
  }

  if (options.breakPalace !== undefined) {
    const breakPalace = options.breakPalace;
    withPalace("failures surface as rejected promises, never as synchronous throws", async (palace) => {
      await breakPalace(palace);
      await assert.rejects(callAsync(() => create(palace, goalEntry("g-a", 1), "g-a")));
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
        await store.dispose();
      });
    });
  }

  options.extraTests?.(test, makePalace);
}

function create(palace: GoalMemory, json: string, goalId: string): Promise<void> {
  return palace.rememberGoal(json, GOAL_TAG, { goalId, revision: 1, base: null });
}

function idsIn(entries: readonly string[]): string[] {
  return entries.map((json) => keyInEntry(json)?.goalId ?? "");
}

// The entry of `goalId` with the highest revision, whether the palace upserts or appends.
function newest(entries: readonly string[], goalId: string): string | undefined {
  let found: { json: string; revision: number } | undefined;
  for (const json of entries) {
    const key = keyInEntry(json);
    if (key?.goalId === goalId && (found === undefined || key.revision > found.revision)) found = { json, revision: key.revision };
  }
  return found?.json;
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
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

async function withDataRoot<T>(body: (root: string) => Promise<T>): Promise<T> {
  const root = await mkdtemp(join(tmpdir(), "goal-store-conformance-"));
  try {
    return await body(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
