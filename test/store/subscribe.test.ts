import { describe, expect, it, vi } from "vitest";
import { InvalidInputError, type GoalChange } from "../../src/index.js";
import { freshStore } from "../helpers.js";

describe("subscribe", () => {
  it("is called after each commit, in commit order, with the new goal and the previous one", async () => {
    const { store } = await freshStore({}, { latency: "yield" });
    const changes: GoalChange[] = [];
    store.subscribe((change) => changes.push(change));
    const goal = await store.create("d");
    // Un-awaited: listeners still see them in call order.
    await Promise.all([store.note(goal.id, "a"), store.link(goal.id, { sessionId: "s1", task: "t" }), store.note(goal.id, "b")]);
    expect(changes.map((c) => [c.goal.revision, c.previous?.revision])).toEqual([
      [1, undefined],
      [2, 1],
      [3, 2],
      [4, 3],
    ]);
    expect(changes[2]?.previous?.status).toBe("pending");
    expect(changes[2]?.goal.status).toBe("inProgress");
    expect(changes.at(-1)?.goal).toEqual(store.get(goal.id));
  });

  it("is called only for commits: refused and failed mutations are silent", async () => {
    const { store, palace } = await freshStore();
    const goal = await store.create("d");
    const listener = vi.fn();
    store.subscribe(listener);
    await expect(store.close(goal.id)).rejects.toThrow();
    palace.failNextWrites(1);
    await expect(store.note(goal.id, "x")).rejects.toThrow();
    expect(listener).not.toHaveBeenCalled();
  });

  it("unsubscribe stops the calls; each listener gets its own copies", async () => {
    const { store } = await freshStore();
    const seen: GoalChange[] = [];
    const unsubscribe = store.subscribe((change) => {
      seen.push(change);
      change.goal.notes.push("tampered");
    });
    store.subscribe((change) => seen.push(change));
    const goal = await store.create("d");
    expect(store.get(goal.id)?.notes).toEqual([]);
    expect(seen[1]?.goal.notes).toEqual([]);
    unsubscribe();
    await store.note(goal.id, "n");
    expect(seen).toHaveLength(3);
  });

  it("a throwing listener never breaks the store or the other listeners", async () => {
    const { store } = await freshStore();
    const warning = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      store.subscribe(() => {
        throw new Error("listener bug");
      });
      const after = vi.fn();
      store.subscribe(after);
      const goal = await store.create("d");
      expect(store.get(goal.id)).toEqual(goal);
      expect(after).toHaveBeenCalledTimes(1);
      expect(warning).toHaveBeenCalledWith(expect.stringContaining("listener bug"), expect.anything());
    } finally {
      warning.mockRestore();
    }
  });

  it("refuses a non-function with INVALID_INPUT", async () => {
    const { store } = await freshStore();
    expect(() => store.subscribe("nope" as never)).toThrow(InvalidInputError);
  });
});
