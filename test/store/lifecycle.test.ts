import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { DisposedError, GoalStore } from "../../src/index.js";
import { InMemoryGoalMemory } from "../../src/testing/index.js";
import { decodeGoal } from "../../src/wire/index.js";
import { freshStore, tempRoot, waitFor } from "../helpers.js";

describe("flush and dispose", () => {
  it("regression: flush() waits for mutations called before it, not only committed ones", async () => {
    const { store } = await freshStore({}, { latency: "yield" });
    const goal = await store.create("d");
    await store.flush(); // the mirror is idle: nothing in flight for the next flush to join
    void store.note(goal.id, "un-awaited");
    await store.flush();
    const mirrored = (JSON.parse(await readFile(store.cacheFile, "utf8")) as unknown[]).map(decodeGoal);
    expect(mirrored[0]?.notes).toEqual(["un-awaited"]);
  });

  it("dispose() drains queued mutations, flushes, and later calls reject with DISPOSED", async () => {
    const { store } = await freshStore({}, { latency: "yield" });
    const goal = await store.create("d");
    const queued = store.note(goal.id, "queued before dispose");
    await store.dispose();
    expect((await queued).notes).toEqual(["queued before dispose"]);
    const mirrored = (JSON.parse(await readFile(store.cacheFile, "utf8")) as unknown[]).map(decodeGoal);
    expect(mirrored[0]?.notes).toEqual(["queued before dispose"]);
    await expect(store.note(goal.id, "late")).rejects.toBeInstanceOf(DisposedError);
    await expect(store.create("late")).rejects.toMatchObject({ code: "DISPOSED" });
    await expect(store.flush()).rejects.toMatchObject({ code: "DISPOSED" });
    expect(store.get(goal.id)?.notes).toEqual(["queued before dispose"]);
    await store.dispose(); // a second call is harmless
  });

  it("dispose() stops the feed: a disposed store no longer follows other writers", async () => {
    const palace = new InMemoryGoalMemory();
    const [a, b] = [await GoalStore.load(palace, await tempRoot()), await GoalStore.load(palace, await tempRoot())];
    const goal = await a.create("d");
    await waitFor(() => b.get(goal.id) !== undefined);
    await b.dispose();
    await a.note(goal.id, "after b left");
    await a.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(b.get(goal.id)?.revision).toBe(1);
    await a.dispose();
  });

  it("await using disposes the store at the end of the block", async () => {
    const palace = new InMemoryGoalMemory();
    let escaped: GoalStore | undefined;
    {
      await using store = await GoalStore.load(palace, await tempRoot());
      escaped = store;
      await store.create("inside");
    }
    await expect(escaped.create("outside")).rejects.toMatchObject({ code: "DISPOSED" });
  });
});
