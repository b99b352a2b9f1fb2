import { afterEach, describe, expect, it, vi } from "vitest";
import { GoalStore, GoalStoreError, InvalidInputError, type GoalMemory } from "../../src/index.js";
import { goalFixture, InMemoryGoalMemory } from "../../src/testing/index.js";
import { encodeGoal } from "../../src/wire/index.js";
import { freshStore, settleAfterTest, tempRoot } from "../helpers.js";

// Issue 13: callbacks and odd objects never break a commit nor crash the process.

/** Collects process warnings with `code` until the test ends. */
function warnings(code: string): Error[] {
  const seen: Error[] = [];
  const listener = (warning: Error & { code?: string }) => {
    if (warning.code === code) seen.push(warning);
  };
  process.on("warning", listener);
  afterCurrent(() => process.off("warning", listener));
  return seen;
}
const cleanups: (() => void)[] = [];
function afterCurrent(cleanup: () => void): void {
  cleanups.push(cleanup);
}
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

describe("listeners and onCacheError", () => {
  it("a listener throwing a value without a string form: the commit resolves, a warning is emitted", async () => {
    const seen = warnings("GOAL_STORE_LISTENER");
    const { store } = await freshStore();
    store.subscribe(() => {
      throw Object.create(null);
    });
    await expect(store.create("x")).resolves.toMatchObject({ revision: 1 });
    await vi.waitFor(() => expect(seen).toHaveLength(1));
  });

  it("an async listener that rejects is reported, not an unhandled rejection", async () => {
    const seen = warnings("GOAL_STORE_LISTENER");
    const { store } = await freshStore();
    store.subscribe(async () => Promise.reject(new Error("listener failed later")));
    await store.create("x");
    await vi.waitFor(() => expect(seen).toHaveLength(1));
  });

  it("an onCacheError that rejects is reported, not an unhandled rejection", async () => {
    const seen = warnings("GOAL_STORE_CACHE_ERROR_LISTENER");
    const root = await tempRoot();
    const store = settleAfterTest(
      await GoalStore.load(new InMemoryGoalMemory(), root, {
        cacheFile: root, // a folder: every goals.json write fails
        onCacheError: async () => Promise.reject(Object.create(null)),
      }),
    );
    await store.create("x");
    await vi.waitFor(() => expect(seen.length).toBeGreaterThan(0));
  });
});

describe("odd arguments", () => {
  it("arguments with throwing getters: INVALID_INPUT with the thrown value as cause", async () => {
    const { store } = await freshStore();
    const goal = await store.create("x");
    const thrown = new Error("getter");
    const hostile = Object.defineProperty({ task: "t" }, "sessionId", { enumerable: true, get: () => { throw thrown; } });
    const error = await store.link(goal.id, hostile as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).cause).toBe(thrown);
    const options = Object.defineProperty({}, "clock", { enumerable: true, get: () => { throw thrown; } });
    expect(() => new GoalStore(new InMemoryGoalMemory(), "root", options)).toThrow(InvalidInputError);
  });

  it("a listGoals array with a throwing getter: that entry is skipped, the others load", async () => {
    const good = encodeGoal(goalFixture({ id: "g-good", description: "d" }));
    const entries = [good];
    Object.defineProperty(entries, 1, { enumerable: true, get: () => { throw Object.create(null); } });
    const palace: GoalMemory = { rememberGoal: async () => {}, listGoals: async () => entries };
    const store = settleAfterTest(await GoalStore.load(palace, await tempRoot()));
    expect(store.all().map((g) => g.id)).toEqual(["g-good"]);
    expect(store.loadReport?.skipped.map((s) => s.index)).toEqual([1]);
  });

  it("load never rejects with a raw error for a listGoals result that is a hostile Proxy", async () => {
    // `then` answers undefined so that awaiting the result works; every other read throws.
    const proxy = new Proxy([], {
      get: (_, key) => {
        if (key === "then") return undefined;
        throw Object.create(null);
      },
    });
    const palace: GoalMemory = { rememberGoal: async () => {}, listGoals: async () => proxy as string[] };
    const result = await GoalStore.load(palace, await tempRoot()).catch((e: unknown) => e);
    if (result instanceof GoalStore) {
      settleAfterTest(result);
      expect(result.loadReport?.source).toBe("cache");
    } else expect(result).toBeInstanceOf(GoalStoreError);
  });
});
